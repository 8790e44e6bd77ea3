/**
 * One benchmark at a time on a machine: two would remove each other's namespaces (both own the
 * prefix) and time each other's load. The lock file names the run and its agent, so that a run that
 * died without cleaning up (SIGKILL) is told apart from one still going, and its agent ended by pid.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isProcessAlive } from '../../tools/processGroup';

const LOCK_FILE = '/run/mvnet-bench.lock';

interface LockContent {
  benchPid: number;
  agentPid?: number;
  stateDir?: string;
}

/** The agent's state dirs: `mvnet-bench-XXXXXX` in the tmp dir (see BenchAgent.ts). */
export const STATE_DIR_PREFIX = path.join(os.tmpdir(), 'mvnet-bench-');

function readLock(): LockContent | undefined {
  try {
    return JSON.parse(fs.readFileSync(LOCK_FILE, 'utf8')) as LockContent;
  } catch {
    return undefined;
  }
}

/** Ends the agent a dead run left, only when its pid still is an agent serving the benchmark's host. */
function endLeftOverAgent(pid: number, hostNetns: string): boolean {
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return false;
  }
  const args = cmdline.split('\0');
  if (!args.some((a) => a.endsWith('agent/src/main.js')) || !args.includes(hostNetns)) return false;
  process.kill(pid, 'SIGKILL');
  return true;
}

/**
 * Takes the lock, or throws when another benchmark is running. A lock left by a dead run is taken
 * over, and its agent ended; returns what was found left over, for the log.
 */
export function claimBenchLock(hostNetns: string): string[] {
  const found: string[] = [];
  const held = readLock();
  if (held && held.benchPid !== process.pid && isProcessAlive(held.benchPid)) {
    throw new Error(`another benchmark (pid ${held.benchPid}) is running; ${LOCK_FILE} is its lock`);
  }
  if (held?.agentPid && endLeftOverAgent(held.agentPid, hostNetns)) {
    found.push(`agent pid ${held.agentPid}`);
  }
  if (held?.stateDir?.startsWith(STATE_DIR_PREFIX) && fs.existsSync(held.stateDir)) {
    fs.rmSync(held.stateDir, { recursive: true, force: true });
    found.push(`state dir ${held.stateDir}`);
  }
  fs.writeFileSync(LOCK_FILE, JSON.stringify({ benchPid: process.pid }));
  return found;
}

/** Records the agent's pid and state dir in the lock, so that a later run can end and remove them. */
export function recordAgent(agentPid: number, stateDir: string): void {
  fs.writeFileSync(LOCK_FILE, JSON.stringify({ benchPid: process.pid, agentPid, stateDir }));
}

/** Removes the lock, when it is this run's. */
export function releaseBenchLock(): void {
  if (readLock()?.benchPid === process.pid) fs.rmSync(LOCK_FILE, { force: true });
}
