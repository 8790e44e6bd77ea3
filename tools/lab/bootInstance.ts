/**
 * One boot of a lab instance on the host side: starts linux.uml through launch.sh (see there why
 * two process groups must be killed), copies its console to a log file (and to a callback), notes
 * when init reports that it booted, and waits for the instance to end, or kills it when time is up.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { killProcessGroup, killProcessGroupsAndWait } from '../processGroup';

/** init.sh prints this on the console once the lab is ready and the command starts. */
const BOOTED_MARKER = /^mvnet-lab: booted\b/m;

/** How much of the console is kept in memory for error messages. */
const TAIL_BYTES = 16_384;

export interface BootOptions {
  launcher: string;
  umlArgv: string[];
  consoleLog: string;
  timeoutMs: number;
  /** Besides this process: if one of these dies, launch.sh kills the instance. */
  ownerPids?: number[];
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
  /** False if some process of the groups outlived the final kill (see killProcessGroupsAndWait). */
  groupGone: boolean;
  /** What `onConsole` threw, if it did: the instance was killed then. */
  consoleCallbackError?: unknown;
}

/**
 * Boots the instance and resolves once it has ended and nothing of its process group is left.
 * Nothing here throws outside the returned promise: an exception in an event handler (the console
 * callback, the log file) would be uncaught and end the whole process, a jest run included.
 */
export async function bootInstance(options: BootOptions): Promise<BootOutcome> {
  const started = Date.now();
  const log = fs.createWriteStream(options.consoleLog);
  // A console log that cannot be written does not fail the run (the output and exit code have files
  // of their own); an 'error' event nobody listens to would end the process.
  let consoleLogError: Error | undefined;
  log.on('error', (err) => (consoleLogError ??= err));
  const owners = [process.pid, ...(options.ownerPids ?? [])].join(',');
  const child = spawn(options.launcher, [owners, ...options.umlArgv], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  // launch.sh's group (detached) and linux.uml's own (it calls setsid; its pid comes on fd 3).
  let umlPid: number | undefined;
  child.stdio[3]?.on('data', (chunk: Buffer) => (umlPid ??= Number(chunk.toString().trim()) || undefined));
  const groups = (): number[] => [child.pid, umlPid].filter((pid): pid is number => pid !== undefined);
  let tail = '';
  let bootMs: number | undefined;
  let consoleCallbackError: { error: unknown } | undefined;
  const kill = (deadlineMs?: number): void =>
    void killProcessGroupsAndWait(groups, deadlineMs).catch(() => undefined); // awaited again below
  const onData = (chunk: Buffer): void => {
    // UML's console is a tty: lines end in \r\n.
    const text = chunk.toString('utf8').replace(/\r/g, '');
    if (!consoleLogError) log.write(text);
    if (options.onConsole && !consoleCallbackError) {
      try {
        options.onConsole(text);
      } catch (error) {
        consoleCallbackError = { error };
        kill();
      }
    }
    tail = (tail + text).slice(-TAIL_BYTES);
    if (bootMs === undefined && BOOTED_MARKER.test(tail)) bootMs = Date.now() - started;
  };
  // Both are pipes (stdio above); the typings of a four-entry stdio cannot tell.
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', onData);

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    kill(options.timeoutMs);
  }, options.timeoutMs);
  // launch.sh ends the group of linux.uml after it; this covers launch.sh itself being killed.
  child.once('exit', () => {
    try {
      groups().forEach(killProcessGroup);
    } catch {
      // EPERM: the final killProcessGroupsAndWait below reports it.
    }
  });
  try {
    const exitCode = await waitForClose(child);
    const totalMs = Date.now() - started;
    // Normally both groups are empty by now; this makes sure, whatever happened.
    const groupGone = await killProcessGroupsAndWait(groups);
    return {
      exitCode,
      timedOut,
      bootMs,
      totalMs,
      consoleTail: lastLines(tail, 30),
      groupGone,
      ...(consoleCallbackError ? { consoleCallbackError: consoleCallbackError.error } : {}),
    };
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
