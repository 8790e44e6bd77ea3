/**
 * `npm run lab -- SCENARIO`: boots a lab instance (once per phase of the scenario, on one state dir:
 * a reboot between them), builds the three-host topology in it, starts the agents, runs the scenario
 * (scenarioMain.ts) and prints its steps as they happen. Its logs stay in the state dir,
 * `.lab-state/scenarios/<name>/` by default, emptied at the start of each run: steps.log,
 * orchestrator.log, agent-<host>.log, the agents' state dirs <host>/, and the runner's .lab/.
 *
 *   npm run lab -- seed-vlans [--timeout-ms N] [--mem-mb N] [--state-dir DIR]
 *   npm run lab -- --list
 *
 * The lab CLI (tools/lab/lab.ts) hands these command lines here; the lab itself is tools/lab/runLab.ts.
 *
 * Exit status: 0 when it passed, 1 when it failed, 2 for a bad command line, 125 when the lab failed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { findRepoRoot } from '../../tools/findRepoRoot';
import { consolePrinter } from '../../tools/lab/consolePrinter';
import { LabError } from '../../tools/lab/LabError';
import { labFilesDir, labStateRoot } from '../../tools/lab/labPaths';
import { runInLab } from '../../tools/lab/runLab';
import { stateDirUser } from '../../tools/lab/stateDirLock';
import { SCENARIOS, findScenario, type Scenario } from './scenarios';

const LAB_FAILED = 125;

interface ScenarioOptions {
  scenario: Scenario;
  stateDir: string;
  timeoutMs: number;
  memMb?: number;
}

class UsageError extends Error {}

function listing(): string {
  const width = Math.max(...SCENARIOS.map((s) => s.name.length));
  return SCENARIOS.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}\n`).join('');
}

function parseScenarioArgs(argv: string[]): ScenarioOptions {
  const [name, ...rest] = argv;
  const scenario = findScenario(name);
  if (!scenario)
    throw new UsageError(
      `unknown scenario ${JSON.stringify(name)}; the scenarios are:\n${listing()}` +
        'to run a command in the lab instead: npm run lab -- -- COMMAND [ARGS...]',
    );
  const options: ScenarioOptions = {
    scenario,
    stateDir: path.join(labStateRoot(), 'scenarios', scenario.name),
    timeoutMs: 600_000,
  };
  for (let i = 0; i < rest.length; i++) {
    const value = (): string => {
      if (rest[i + 1] === undefined) throw new UsageError(`${rest[i]} needs a value`);
      return rest[++i];
    };
    if (rest[i] === '--timeout-ms') options.timeoutMs = Number(value());
    else if (rest[i] === '--mem-mb') options.memMb = Number(value());
    else if (rest[i] === '--state-dir') options.stateDir = path.resolve(value());
    else
      throw new UsageError(
        `unknown option ${rest[i]} (a scenario takes --timeout-ms, --mem-mb, --state-dir)`,
      );
  }
  if (!(options.timeoutMs > 0)) throw new UsageError('--timeout-ms must be a positive number');
  return options;
}

/** Empties the state dir but for the runner's .lab/ (its jest cache, its lock): each run starts on a new "disk". */
function freshStateDir(stateDir: string): void {
  fs.mkdirSync(labFilesDir(stateDir), { recursive: true });
  const user = stateDirUser(stateDir);
  if (user !== undefined) throw new LabError(`state dir ${stateDir} is in use by process ${user}`);
  for (const entry of fs.readdirSync(stateDir))
    if (entry !== '.lab') fs.rmSync(path.join(stateDir, entry), { recursive: true, force: true });
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

async function runPhases(options: ScenarioOptions): Promise<number> {
  const { scenario, stateDir } = options;
  const main = path.join(findRepoRoot(), 'dist/test/lab/scenarioMain.js');
  if (!fs.existsSync(main)) throw new UsageError(`${main} is missing: run npm run build first`);
  freshStateDir(stateDir);
  const phases = scenario.phases ?? ['main'];
  let total = 0;
  for (const phase of phases) {
    if (phases.length > 1) process.stderr.write(`lab: ${scenario.name}: booting for phase ${phase}\n`);
    const result = await runInLab({
      command: [process.execPath, main, scenario.name],
      cwd: findRepoRoot(),
      stateDir,
      timeoutMs: options.timeoutMs,
      memMb: options.memMb,
      env: { MVNET_LAB_PHASE: phase },
      onConsole: consolePrinter(false),
    });
    total += result.totalMs;
    const which = phases.length > 1 ? ` phase ${phase}` : '';
    process.stderr.write(
      `lab: ${scenario.name}${which}: exit code ${result.exitCode}; booted in ${seconds(result.bootMs)}, ` +
        `total ${seconds(result.totalMs)}\n`,
    );
    if (result.exitCode !== 0) return finish(scenario, stateDir, total, false);
  }
  return finish(scenario, stateDir, total, true);
}

function finish(scenario: Scenario, stateDir: string, totalMs: number, passed: boolean): number {
  const logs = fs
    .readdirSync(stateDir)
    .filter((f) => f.endsWith('.log'))
    .sort();
  process.stderr.write(
    `lab: scenario ${scenario.name} ${passed ? 'passed' : 'FAILED'} in ${seconds(totalMs)}; ` +
      `logs in ${path.relative(process.cwd(), stateDir) || '.'}/: ${logs.join(' ')} (console: .lab/console.log)\n`,
  );
  return passed ? 0 : 1;
}

/** Runs `lab SCENARIO [options]` or `lab --list`; resolves the exit status. */
export async function runScenarioCommand(argv: string[]): Promise<number> {
  if (argv[0] === '--list') {
    process.stdout.write(`scenarios (npm run lab -- SCENARIO):\n${listing()}`);
    return 0;
  }
  try {
    return await runPhases(parseScenarioArgs(argv));
  } catch (err) {
    process.stderr.write(`lab: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof UsageError ? 2 : LAB_FAILED;
  }
}
