#!/usr/bin/env node
/**
 * `npm run bench:fleet`: how a fleet rollout through the SDK's Fleet scales. Part 1: one network and
 * an endpoint per host rolled out to 1, 10 and 50 real agents on namespace hosts (`mvbf-*`) at once,
 * then removed. Part 2: the same to 1,000 simulated agents (real agents on the in-memory kernel, many
 * per child process) in waves of 10%, then removed, with the memory, descriptors and sockets it takes,
 * and where the client's CPU goes. Prints tables and writes its section of BENCHMARKS.md. Needs root;
 * bounded (a watchdog ends it); leaves nothing behind, also on Ctrl-C.
 */
import { Command, Option } from 'commander';
import { addBenchOptions } from '../shared/addBenchOptions';
import { integerIn } from '../shared/integerIn';
import { readLoadAverage, readMachineFacts } from '../shared/machineFacts';
import { runBenchmark, type BenchmarkRun } from '../shared/runBenchmark';
import { writeBenchmarksMd } from '../shared/writeBenchmarksMd';
import { computeFleetFigures } from './fleetFigures';
import { fleetFindings } from './fleetFindings';
import { FLEET_NETNS_PREFIX } from './fleetLayout';
import type { FleetSettings } from './fleetSettings';
import { checkFileLimit } from './fileLimit';
import { formatFleetSection } from './formatFleetSection';
import { printFleetTables } from './fleetTables';
import { runRealPart } from './realPart';
import { runSimulatedPart } from './simulatedPart';

/** Past this the run is stuck, not slow: it cleans up and fails. */
const WATCHDOG_MS = 40 * 60_000;

function counts(value: string): number[] {
  const list = value.split(',').map(integerIn(1, 200));
  return [...new Set(list)].sort((a, b) => a - b);
}

function parseSettings(): FleetSettings & { write: boolean; profile: boolean } {
  const command = new Command('fleetBench')
    .description('fleet rollouts through the SDK: 1, 10, 50 real agents; 1,000 simulated ones')
    .option('--agents <n,n,...>', 'part 1: fleet sizes of real agents', counts, [1, 10, 50])
    .option('--rounds <n>', 'part 1: counted rounds (apply, remove) per size', integerIn(1, 50), 5)
    .option('--warmup <n>', 'part 1: uncounted rounds first, per size', integerIn(0, 10), 1)
    .option('--start-parallel <n>', 'part 1: agents started at once', integerIn(1, 16), 4)
    .option('--simulated <n>', 'part 2: simulated agents', integerIn(1, 5000), 1000)
    .option('--processes <n>', 'part 2: child processes serving them', integerIn(1, 32), 4)
    .option('--simulated-rounds <n>', 'part 2: counted rounds (apply, remove)', integerIn(1, 20), 3)
    .option('--simulated-warmup <n>', 'part 2: uncounted rounds first', integerIn(0, 5), 1)
    .option('--wave-percent <n>', "part 2: the waves' maxUnavailable, % of the hosts", integerIn(1, 100), 10)
    .option('--no-profile', "skip each part's extra round under the client's CPU profiler")
    .option(
      '--confirm-within-ms <ms>',
      "every Apply's confirmation window",
      integerIn(2000, 3_600_000),
      60_000,
    )
    .option(
      '--host-deadline-ms <ms>',
      "the fleet's per-call and host read deadline (default: the SDK's, 30 s and 10 s)",
      integerIn(1000, 600_000),
    )
    .option('--settle-ms <ms>', 'pause after each rollout', integerIn(0, 60_000), 1000)
    .addOption(new Option('--only <part>', 'run only this part').choices(['real', 'simulated']));
  const o = addBenchOptions(command).parse().opts();
  return {
    realCounts: o.agents,
    realRounds: o.rounds,
    realWarmup: o.warmup,
    startParallel: o.startParallel,
    simulated: o.simulated,
    processes: o.processes,
    simulatedRounds: o.simulatedRounds,
    simulatedWarmup: o.simulatedWarmup,
    wavePercent: o.wavePercent,
    confirmWithinMs: o.confirmWithinMs,
    hostDeadlineMs: o.hostDeadlineMs,
    settleMs: o.settleMs,
    agentLogLevel: o.agentLogLevel,
    only: o.only,
    profile: o.profile,
    write: o.write,
  };
}

async function main(run: BenchmarkRun): Promise<void> {
  const settings = parseSettings();
  const started = process.hrtime.bigint();
  if (settings.only !== 'real') checkFileLimit(settings);
  await run.claimMachine();
  const machine = await readMachineFacts();
  const real = settings.only === 'simulated' ? undefined : await runRealPart(run, settings, settings.profile);
  const simulated =
    settings.only === 'real' ? undefined : await runSimulatedPart(run, settings, settings.profile);
  machine.loadAfter = readLoadAverage();
  await run.cleanUp();
  const figures = computeFleetFigures({
    date: new Date().toISOString(),
    elapsedS: Number(process.hrtime.bigint() - started) / 1e9,
    machine,
    settings,
    real,
    simulated,
  });
  printFleetTables(figures, run.say);
  for (const line of fleetFindings(figures)) run.say(line);
  run.say(`load average before ${machine.loadBefore}, after ${machine.loadAfter}`);
  if (settings.write)
    run.say(`wrote the fleet section of ${writeBenchmarksMd('fleet', formatFleetSection(figures))}`);
}

runBenchmark({ netnsPrefix: FLEET_NETNS_PREFIX, watchdogMs: WATCHDOG_MS, main });
