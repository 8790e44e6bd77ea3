/**
 * Runs one `.labtest.ts` file with jest inside a lab instance, synchronously, and reads its report.
 *
 * Synchronous because the outer test file must declare its tests while jest collects them, before
 * any hook runs, and their names are known only once the inner run is over. So the lab CLI runs in
 * a child process (spawnSync), loaded through registerTypeScript.js: no build needed. If this process
 * is killed meanwhile, launch.sh's watchdog kills the instance within a second.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { findRepoRoot } from '../findRepoRoot';
import { labFilesDir, labStateRoot, labTestsDir } from './labPaths';
import { readInnerJestReport, type InnerJestReport } from './readInnerJestReport';
import { isProcessAlive } from '../processGroup';
import { isStateDirInUse } from './stateDirLock';

export interface JestInLabOptions {
  /** For the whole lab run, boot included; 240 s by default. */
  timeoutMs?: number;
  memMb?: number;
  /** Environment of jest inside the lab (besides MVNET_LAB_STATE, always set). */
  env?: Record<string, string>;
  /** A state dir from freshLabTestStateDir, to boot again on the same "disk" (a reboot); a fresh one by default. */
  stateDir?: string;
}

export interface JestInLabOutcome extends Partial<InnerJestReport> {
  /** Set when the lab gave no jest report (it did not boot, timed out, or jest did not start). */
  labError?: string;
  /** The inner jest's exit code. */
  exitCode?: number;
  bootMs?: number;
  totalMs?: number;
  stateDir: string;
}

/**
 * A state dir is taken while a lab runs on it, or while the process that picked it lives (it may
 * boot it again: a reboot). The picker's pid is in `.lab/owner`.
 */
function isTakenByAnother(stateDir: string): boolean {
  if (isStateDirInUse(stateDir)) return true;
  const owner = Number(readText(path.join(labFilesDir(stateDir), 'owner')));
  return Number.isInteger(owner) && owner > 0 && owner !== process.pid && isProcessAlive(owner);
}

/**
 * The state dir for a lab test file, emptied: every outer run starts on a new "disk". It is
 * `.lab-state/jest/<name>`, whose `.lab/jest-cache` is kept (it saves the inner jest ~2 s), or
 * `<name>-<pid>` when another process has that one; such dirs of dead processes are removed here.
 */
export function freshLabTestStateDir(file: string): string {
  const name = path.basename(file).replace(/\.labtest\.ts$/, '');
  const root = path.join(labStateRoot(), 'jest');
  fs.mkdirSync(root, { recursive: true });
  for (const entry of fs.readdirSync(root)) {
    const dir = path.join(root, entry);
    const ofAProcess = entry.startsWith(`${name}-`) && /^\d+$/.test(entry.slice(name.length + 1));
    if (ofAProcess && !isTakenByAnother(dir)) fs.rmSync(dir, { recursive: true, force: true });
  }
  const shared = path.join(root, name);
  const stateDir = isTakenByAnother(shared) ? `${shared}-${process.pid}` : shared;
  const files = labFilesDir(stateDir);
  fs.mkdirSync(files, { recursive: true });
  fs.writeFileSync(path.join(files, 'owner'), `${process.pid}\n`);
  for (const entry of fs.readdirSync(stateDir))
    if (entry !== path.basename(files))
      fs.rmSync(path.join(stateDir, entry), { recursive: true, force: true });
  return stateDir;
}

/** Boots a lab instance, runs jest on `file` (relative to test/lab/, or absolute) in it, reads the report. */
export function runJestInLab(file: string, options: JestInLabOptions = {}): JestInLabOutcome {
  const repo = findRepoRoot();
  const testFile = path.resolve(labTestsDir(), file);
  const stateDir = options.stateDir ?? freshLabTestStateDir(testFile);
  const files = labFilesDir(stateDir);
  const jestReport = path.join(files, 'jest-report.json');
  const labResult = path.join(files, 'lab-result.json');
  fs.mkdirSync(files, { recursive: true });
  for (const stale of [jestReport, labResult]) fs.rmSync(stale, { force: true });

  const timeoutMs = options.timeoutMs ?? 240_000;
  const jest = [
    ...['/usr/bin/node', path.join(repo, 'node_modules/jest/bin/jest.js')],
    ...['--config', path.join(repo, 'tools/lab/jest.lab.config.js'), '--ci', '--runInBand'],
    ...['--json', `--outputFile=${jestReport}`, testFile],
  ];
  const lab = [
    ...['-r', path.join(repo, 'tools/lab/registerTypeScript.js'), path.join(repo, 'tools/lab/lab.ts')],
    ...['--state-dir', stateDir, '--timeout-ms', String(timeoutMs), '--result-json', labResult],
    // If this jest worker dies while it waits, the instance goes with it.
    ...['--owner-pid', String(process.pid)],
    ...(options.memMb ? ['--mem-mb', String(options.memMb)] : []),
    ...Object.entries(options.env ?? {}).flatMap(([name, value]) => ['--env', `${name}=${value}`]),
  ];
  const child = spawnSync(process.execPath, [...lab, '--', ...jest], {
    cwd: repo,
    // Explicitly: inside jest, `process.env` is the test's copy, which child_process would not use.
    env: process.env,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    // A backstop only: the lab CLI kills the instance at timeoutMs itself.
    timeout: timeoutMs + 30_000,
    killSignal: 'SIGKILL',
  });
  // A CLI that did not end by itself (the backstop timeout, a signal) says so besides its stderr.
  const ended = child.error ? `${child.error.message}\n` : child.signal ? `killed by ${child.signal}\n` : '';
  return readOutcome({ stateDir, testFile, jestReport, labResult, stderr: ended + (child.stderr ?? '') });
}

function readOutcome(run: {
  stateDir: string;
  testFile: string;
  jestReport: string;
  labResult: string;
  stderr: string;
}): JestInLabOutcome {
  const lab = readJson(run.labResult) as
    | { ok: true; result: { exitCode: number; bootMs: number; totalMs: number; output: string } }
    | { ok: false; error: string }
    | undefined;
  if (!lab) return { stateDir: run.stateDir, labError: `the lab CLI gave no result:\n${run.stderr}` };
  if (!lab.ok) return { stateDir: run.stateDir, labError: lab.error };
  const { exitCode, bootMs, totalMs, output } = lab.result;
  const base = { stateDir: run.stateDir, exitCode, bootMs, totalMs };
  if (!fs.existsSync(run.jestReport)) {
    const tail = output.split('\n').slice(-40).join('\n');
    return { ...base, labError: `jest wrote no report (exit code ${exitCode}); its output ends:\n${tail}` };
  }
  return { ...base, ...readInnerJestReport(fs.readFileSync(run.jestReport, 'utf8'), run.testFile) };
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function readJson(file: string): unknown {
  const text = readText(file);
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}
