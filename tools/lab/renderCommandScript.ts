/**
 * The command a lab instance runs reaches it as a shell script in the state dir (init.sh runs it
 * with `sh`): the kernel command line is short, splits on spaces and turns `a=b` words into
 * environment variables, so argv cannot travel there intact.
 */

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Quotes one word for POSIX sh: single quotes, each embedded `'` written as `'\''`. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A script that exports `env`, changes to `cwd` and execs `command`, so its exit code is the
 * command's (init.sh starts it in the state dir).
 */
export function renderCommandScript(
  command: string[],
  env: Record<string, string> = {},
  cwd?: string,
): string {
  if (command.length === 0) throw new Error('runInLab: command is empty');
  const lines = ['# Written by tools/lab/runLab.ts; run by tools/lab/init.sh inside the lab.', 'set -e'];
  for (const [name, value] of Object.entries(env)) {
    if (!ENV_NAME.test(name))
      throw new Error(`runInLab: invalid environment variable name ${JSON.stringify(name)}`);
    lines.push(`export ${name}=${shellQuote(value)}`);
  }
  if (cwd !== undefined) lines.push(`cd ${shellQuote(cwd)}`);
  lines.push(`exec ${command.map(shellQuote).join(' ')}`);
  return `${lines.join('\n')}\n`;
}
