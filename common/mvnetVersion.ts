import fs from 'node:fs';
import path from 'node:path';

/**
 * mvnet's version, from package.json: the one answer the agent (GetHost, --version) and the CLI
 * (--version) give. The file is found from source (common/) or compiled (dist/common/) code.
 */
export function mvnetVersion(): string {
  for (const up of ['..', '../..']) {
    const file = path.join(__dirname, up, 'package.json');
    if (fs.existsSync(file))
      return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}
