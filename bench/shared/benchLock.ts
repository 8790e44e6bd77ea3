/**
 * One benchmark at a time on a machine: two would remove each other's namespaces (both own the
 * prefix) and time each other's load. The lock file names the run and its agents (one, or a fleet's
 * many), so that a run that died without cleaning up (SIGKILL) is told apart from one still going, and
 * its agents ended by pid.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isProcessAlive } from '../../tools/processGroup';

const LOCK_FILE = '/run/mvnet-bench.lock';

/** An agent a run started: its pid, and its state dir (or only a state dir, for agents in a run's own process). */
interface RecordedAgent {
  pid?: number;
  stateDir: string;
}

interface LockContent {
  benchPid: number;
  agents?: RecordedAgent[];
}

/** The agents this run recorded, as the lock file lists them. */
const recorded: RecordedAgent[] = [];

/** The agent's state dirs: `mvnet-bench-XXXXXX` in the tmp dir (see BenchAgent.ts). */
export const STATE_DIR_PREFIX = path.join(os.tmpdir(), 'mvnet-bench-');

function readLock(): LockContent | undefined {
  try {
    return JSON.parse(fs.readFileSync(LOCK_FILE, 'utf8')) as LockContent;
  } catch {
    return undefined;
  }
}

/** Ends the agent a dead run left, only when its pid still is an agent serving one of the benchmark's hosts. */
function endLeftOverAgent(pid: number, netnsPrefix: string): boolean {
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return false;
  }
  const args = cmdline.split('\0');
  const netns = args[args.indexOf('--netns') + 1] ?? '';
  if (!args.some((a) => a.endsWith('agent/src/main.js')) || !netns.startsWith(netnsPrefix)) return false;
  process.kill(pid, 'SIGKILL');
  return true;
}

/**
 * Takes the lock, or throws when another benchmark is running. A lock left by a dead run is taken
 * over, its agents (those serving a namespace of `netnsPrefix`) ended and their state dirs removed;
 * returns what was found left over, for the log.
 */
export function claimBenchLock(netnsPrefix: string): string[] {
  const found: string[] = [];
  const held = readLock();
  if (held && held.benchPid !== process.pid && isProcessAlive(held.benchPid)) {
    throw new Error(`another benchmark (pid ${held.benchPid}) is running; ${LOCK_FILE} is its lock`);
  }
  for (const { pid, stateDir } of held?.agents ?? []) {
    if (pid !== undefined && endLeftOverAgent(pid, netnsPrefix)) found.push(`agent pid ${pid}`);
    if (stateDir.startsWith(STATE_DIR_PREFIX) && fs.existsSync(stateDir)) {
      fs.rmSync(stateDir, { recursive: true, force: true });
      found.push(`state dir ${stateDir}`);
    }
  }
  recorded.length = 0;
  fs.writeFileSync(LOCK_FILE, JSON.stringify({ benchPid: process.pid }));
  return found;
}

/**
 * Records an agent's pid (when it is a process of its own) and state dir in the lock, beside those
 * recorded before, so that a later run can end and remove them.
 */
export function recordAgent(agentPid: number | undefined, stateDir: string): void {
  recorded.push({ ...(agentPid === undefined ? {} : { pid: agentPid }), stateDir });
  const content: LockContent = { benchPid: process.pid, agents: recorded };
  fs.writeFileSync(LOCK_FILE, JSON.stringify(content));
}

/** Removes the lock, when it is this run's. */
export function releaseBenchLock(): void {
  if (readLock()?.benchPid === process.pid) fs.rmSync(LOCK_FILE, { force: true });
}
