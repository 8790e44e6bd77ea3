/**
 * One boot of a lab instance on the host side: starts linux.uml through launch.sh in a process
 * group of its own, copies its console to a log file (and to a callback), notes when init reports
 * that it booted, and waits for the instance to end, or kills the whole group when time is up.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { killProcessGroupAndWait } from './processGroup';

/** init.sh prints this on the console once the lab is ready and the command starts. */
const BOOTED_MARKER = /^mvnet-lab: booted\b/m;

/** How much of the console is kept in memory for error messages. */
const TAIL_BYTES = 16_384;

export interface BootOptions {
  launcher: string;
  umlArgv: string[];
  consoleLog: string;
  timeoutMs: number;
  onConsole?: (text: string) => void;
}

export interface BootOutcome {
  /** linux.uml's exit status, or null when it was killed. */
  exitCode: number | null;
  timedOut: boolean;
  /** Host milliseconds from the spawn to init's "booted" line; undefined if it never came. */
  bootMs?: number;
  totalMs: number;
  /** The last lines of the console, without carriage returns. */
  consoleTail: string;
  /** False if some process of the group outlived the final kill (see killProcessGroupAndWait). */
  groupGone: boolean;
}

/** Boots the instance and resolves once it has ended and nothing of its process group is left. */
export async function bootInstance(options: BootOptions): Promise<BootOutcome> {
  const started = Date.now();
  const log = fs.createWriteStream(options.consoleLog);
  const child = spawn(options.launcher, [String(process.pid), ...options.umlArgv], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pgid = child.pid;
  let tail = '';
  let bootMs: number | undefined;
  const onData = (chunk: Buffer): void => {
    // UML's console is a tty: lines end in \r\n.
    const text = chunk.toString('utf8').replace(/\r/g, '');
    log.write(text);
    options.onConsole?.(text);
    tail = (tail + text).slice(-TAIL_BYTES);
    if (bootMs === undefined && BOOTED_MARKER.test(tail)) bootMs = Date.now() - started;
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (pgid !== undefined) void killProcessGroupAndWait(pgid);
  }, options.timeoutMs);
  try {
    const exitCode = await waitForClose(child);
    const totalMs = Date.now() - started;
    // The group normally ends with linux.uml; this also takes the watchdog's last `sleep`.
    const groupGone = pgid === undefined || (await killProcessGroupAndWait(pgid));
    return { exitCode, timedOut, bootMs, totalMs, consoleTail: lastLines(tail, 30), groupGone };
  } finally {
    clearTimeout(timer);
    await new Promise((resolve) => log.end(resolve));
  }
}

function waitForClose(child: ReturnType<typeof spawn>): Promise<number | null> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
}

function lastLines(text: string, count: number): string {
  return text.split('\n').slice(-count).join('\n');
}
