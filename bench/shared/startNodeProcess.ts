/**
 * A benchmark's helper process: `node <argv>` under this node, in a process group of its own (ended
 * as a group, SIGKILL), ready once it printed a line matching `ready` (or at once without one). A
 * process that exits, fails to start or is not ready in time is ended and refused.
 */
import { spawn } from 'node:child_process';
import readline from 'node:readline';

/** A running helper: its pid, the line that said it was ready, and how to end it. */
export interface NodeProcess {
  pid: number;
  readyLine?: string;
  close(): Promise<void>;
}

const READY_TIMEOUT_MS = 20_000;

export function startNodeProcess(argv: string[], ready?: RegExp): Promise<NodeProcess> {
  const child = spawn(process.execPath, argv, { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      child.kill('SIGKILL'); // the group is gone, or never was (spawn failed)
    }
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${argv[0]} was not ready in time`)), READY_TIMEOUT_MS);
    const fail = (err: Error) => {
      clearTimeout(timer);
      void close().then(() => reject(err));
    };
    const done = (readyLine?: string) => {
      clearTimeout(timer);
      resolve({ pid: child.pid!, readyLine, close });
    };
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`${argv.join(' ')} exited (${code})`)));
    if (!ready) child.once('spawn', () => done());
    else readline.createInterface({ input: child.stdout! }).on('line', (l) => ready.test(l) && done(l));
  });
}
