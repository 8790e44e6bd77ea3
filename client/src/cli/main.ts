#!/usr/bin/env node
import { runCli } from './runCli';

export { runCli, type CliIo } from './runCli';

/** `mvnet`: runs the command line against the process's streams and environment, and exits with its status. */
async function main(): Promise<void> {
  const code = await runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  });
  process.exit(code);
}

if (require.main === module) void main();
