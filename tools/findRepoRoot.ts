/**
 * The repository root, for code that runs from its source (ts-jest, the lab's TypeScript hook) and
 * from dist/ (after a build) alike: paths taken from `__dirname` differ between the two, the root
 * does not.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The nearest directory above `from` (this file's by default) with a package.json. */
export function findRepoRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
