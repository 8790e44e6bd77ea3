import { spawn } from 'node:child_process';

/** The outcome of one process, and how long it took from spawn() to its exit, in milliseconds. */
export interface ProcessRun {
  argv: readonly string[];
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface RunProcessOptions {
  /** Written to stdin, which is then closed. */
  input?: string;
  /** Added to the benchmark's own environment. */
  env?: NodeJS.ProcessEnv;
  /** Killed (SIGKILL) after this long: the benchmark must end by itself. Default 15 s. */
  timeoutMs?: number;
}

/**
 * Runs `argv` (never through a shell) with plain child_process, as the agent's kernel code does for
 * its per-container processes, so that every side of the benchmark pays the same price for a spawn.
 * The clock runs from just before spawn() to the `close` event (exited, pipes drained): what a caller
 * waiting for the process sees. Never rejects for an exit code; the caller judges `code`.
 */
export function runProcess(argv: readonly string[], options: RunProcessOptions = {}): Promise<ProcessRun> {
  const [file, ...args] = argv;
  const env = { ...process.env, LC_ALL: 'C', ...options.env };
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(file, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => undefined); // EPIPE when the process ended early: its exit says why
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${file}: ${err.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      resolve({ argv, code, stdout, stderr, ms });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Runs `argv` and returns its stdout; throws with its stderr when it fails. */
export async function runChecked(argv: readonly string[], options: RunProcessOptions = {}): Promise<string> {
  const r = await runProcess(argv, options);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}
