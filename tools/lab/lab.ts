/**
 * `lab` (`npm run lab`): runs one command in a lab instance (user-mode Linux with 802.1q, dummy,
 * bonding), or one scenario of the multi-host lab (test/lab/runScenario.ts, test/lab/SCENARIOS.md).
 *
 *   node dist/tools/lab/lab.js [options] -- COMMAND [ARGS...]             (after a build)
 *   node -r ./tools/lab/registerTypeScript.js tools/lab/lab.ts [options] -- COMMAND [ARGS...]
 *   node dist/tools/lab/lab.js SCENARIO [--timeout-ms N] [--mem-mb N]     (npm run lab -- SCENARIO)
 *   node dist/tools/lab/lab.js --list                                     (the scenarios)
 *
 * Options: --state-dir DIR (default .lab-state/cli; the same dir again is a reboot), --timeout-ms N
 * (default 600000), --mem-mb N, --env NAME=VALUE (repeatable), --show-boot (print the kernel's boot
 * messages too), --result-json FILE (write the result or the error as JSON, for programs),
 * --owner-pid PID (repeatable: kill the instance if that process dies; for programs that wait).
 * The command runs in the current directory (read-only inside the lab, like all but the state dir).
 * Prints the command's output as it runs and exits with its exit code; 125 if the lab itself failed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { consolePrinter } from './consolePrinter';
import { labStateRoot } from './labPaths';
import { runInLab, type LabRunOptions } from './runLab';

/** Exit status when the lab itself failed, as `docker run` does when the daemon fails. */
const LAB_FAILED = 125;

interface CliOptions extends LabRunOptions {
  showBoot: boolean;
  resultJson?: string;
}

function usage(problem: string): never {
  process.stderr.write(`lab: ${problem}\nusage: lab [--state-dir DIR] [--timeout-ms N] [--mem-mb N] `);
  process.stderr.write(
    '[--env NAME=VALUE]... [--show-boot] [--result-json FILE] [--owner-pid PID]... -- COMMAND [ARGS...]\n',
  );
  process.stderr.write('       lab SCENARIO [--timeout-ms N] [--mem-mb N]     lab --list\n');
  process.exit(2);
}

/** A first argument that is not an option (a scenario's name) or `--list`: the scenario runner's. */
function isScenarioCommand(argv: string[]): boolean {
  return argv[0] === '--list' || (argv[0] !== undefined && !argv[0].startsWith('-'));
}

function parseArgs(argv: string[]): CliOptions {
  const options: CliOptions = {
    command: [],
    cwd: process.cwd(),
    stateDir: path.join(labStateRoot(), 'cli'),
    timeoutMs: 600_000,
    env: {},
    showBoot: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => argv[++i] ?? usage(`${arg} needs a value`);
    if (arg === '--') {
      options.command = argv.slice(i + 1);
      break;
    } else if (arg === '--state-dir') options.stateDir = value();
    else if (arg === '--timeout-ms') options.timeoutMs = Number(value());
    else if (arg === '--mem-mb') options.memMb = Number(value());
    else if (arg === '--result-json') options.resultJson = value();
    else if (arg === '--show-boot') options.showBoot = true;
    else if (arg === '--owner-pid') options.ownerPids = [...(options.ownerPids ?? []), Number(value())];
    else if (arg === '--env') {
      const [name, ...rest] = value().split('=');
      if (rest.length === 0) usage(`--env wants NAME=VALUE`);
      options.env![name] = rest.join('=');
    } else usage(`unknown option ${arg}`);
  }
  if (options.command.length === 0) usage('no command given after --');
  if (!(options.timeoutMs > 0)) usage('--timeout-ms must be a positive number');
  if (options.ownerPids?.some((pid) => !Number.isInteger(pid) || pid <= 0)) usage('--owner-pid wants a pid');
  return options;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (isScenarioCommand(argv)) {
    // The scenarios are tests, and live with them in test/lab/. Loaded only here: the SDK and the
    // scenarios are not needed to run a command (runJestInLab loads this file through the TypeScript
    // hook, which transpiles whatever it imports).
    const { runScenarioCommand } = await import('../../test/lab/runScenario');
    process.exitCode = await runScenarioCommand(argv);
    return;
  }
  const options = parseArgs(argv);
  const writeResult = (value: unknown): void => {
    if (options.resultJson) fs.writeFileSync(options.resultJson, JSON.stringify(value, null, 2));
  };
  try {
    const result = await runInLab({ ...options, onConsole: consolePrinter(options.showBoot) });
    writeResult({ ok: true, result });
    const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
    process.stderr.write(
      `lab: exit code ${result.exitCode}; booted in ${seconds(result.bootMs)}, ` +
        `total ${seconds(result.totalMs)} (console log: ${result.consoleLog})\n`,
    );
    process.exitCode = result.exitCode;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    writeResult({ ok: false, error: message });
    process.stderr.write(`lab: ${message}\n`);
    process.exitCode = LAB_FAILED;
  }
}

void main();
