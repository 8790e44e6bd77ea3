import { runCli } from '../../client/src/cli/runCli';

/** What one in-process run of the CLI printed, and its exit status. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process (runCli) with no environment, capturing its output; `stdin` is its standard input. */
export async function runMvnet(argv: string[], stdin?: string): Promise<CliRun> {
  const run = { stdout: '', stderr: '' };
  const code = await runCli(argv, {
    stdout: (s) => (run.stdout += s),
    stderr: (s) => (run.stderr += s),
    env: {},
    stdin:
      stdin === undefined
        ? undefined
        : (async function* () {
            yield stdin;
          })(),
  });
  return { code, ...run };
}
