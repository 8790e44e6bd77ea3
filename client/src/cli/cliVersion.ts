import fs from 'node:fs';
import path from 'node:path';

/** The version in package.json, found from the source tree or from the compiled one under dist/. */
export function cliVersion(): string {
  for (const up of ['../../..', '../../../..']) {
    const file = path.join(__dirname, up, 'package.json');
    if (fs.existsSync(file))
      return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}
