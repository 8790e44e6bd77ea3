#!/usr/bin/env node
/**
 * `npm run bench:watch`: how fast a change behind the agent's back reaches 1, 100 and 1,000 Watch
 * clients, and whether a watcher that stops reading slows mutations down; on throwaway namespaces
 * (`mvbw-*`). Prints tables and writes its section of BENCHMARKS.md. Needs root; bounded (a watchdog
 * ends it); leaves nothing behind, also on Ctrl-C.
 */
import { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { addNamespaces, makeSwitchedHost } from '../shared/benchNamespaces';
import { formatText } from '../shared/formatTable';
import { addBenchOptions } from '../shared/addBenchOptions';
import { integerIn } from '../shared/integerIn';
import { readLoadAverage, readMachineFacts } from '../shared/machineFacts';
import { runBenchmark, type BenchmarkRun } from '../shared/runBenchmark';
import { writeBenchmarksMd } from '../shared/writeBenchmarksMd';
import { formatWatchSection } from './formatWatchSection';
import { WatchAgent } from './watchAgent';
import { createDriftEndpoint, measureDrift } from './watchDriftPhase';
import { computeDriftFigures, computeMutationFigures, WatchFigures, WatchSettings } from './watchFigures';
import { watchFindings } from './watchFindings';
import { WATCH_CONTAINER_NETNS, WATCH_HOST, WATCH_NETNS_PREFIX } from './watchLayout';
import { measureMutations } from './watchMutationPhase';
import { driftTable, mutationTable, ratioLine, stalledLines } from './watchTables';

/** Past this the run is stuck, not slow: it cleans up and fails. */
const WATCHDOG_MS = 6 * 60_000;
/**
 * New links take their IPv6 addresses a moment after they come up; an address event on the host
 * arms the agent's drift debounce as any change does, and would shorten a round that came just after.
 */
const QUIET_START_MS = 2000;

function counts(value: string): number[] {
  return value.split(',').map(integerIn(1, 5000));
}

function parseSettings(): WatchSettings & { agentLog?: string; write: boolean } {
  const command = new Command('watchBench')
    .description('Watch: kernel change → client latency, and mutations beside a stalled watcher')
    .option('--watchers <n,n,...>', 'part 1: watcher counts', counts, [1, 100, 1000])
    .option('--rounds <n>', 'part 1: counted rounds per watcher count', integerIn(1, 500), 30)
    .option('--warmup <n>', 'part 1: uncounted rounds first', integerIn(0, 20), 2)
    .option('--per-channel <n>', 'part 1: watch streams per channel (connection)', integerIn(1, 5000), 100)
    .option('--settle-ms <ms>', 'part 1: pause after each round', integerIn(0, 10_000), 300)
    .option(
      '--pairs-per-block <n>',
      'part 2: CreateNetwork+DeleteNetwork pairs per block',
      integerIn(1, 100_000),
      1500,
    )
    .option('--blocks <n>', 'part 2: blocks per condition', integerIn(1, 20), 2)
    .option('--warmup-pairs <n>', 'part 2: uncounted pairs first', integerIn(0, 10_000), 300);
  const o = addBenchOptions(command).parse().opts();
  return {
    drift: {
      watcherCounts: o.watchers,
      rounds: o.rounds,
      warmup: o.warmup,
      perChannel: o.perChannel,
      settleMs: o.settleMs,
    },
    mutation: { pairsPerBlock: o.pairsPerBlock, blocks: o.blocks, warmupPairs: o.warmupPairs, pauseMs: 200 },
    agentLogLevel: o.agentLogLevel,
    agentLog: o.agentLog,
    write: o.write,
  };
}

/** Takes the machine, builds the namespaces, starts the agent (stopped when the run cleans up). */
async function setUp(run: BenchmarkRun, settings: ReturnType<typeof parseSettings>): Promise<WatchAgent> {
  await run.claimMachine();
  await makeSwitchedHost(WATCH_HOST);
  await addNamespaces([WATCH_CONTAINER_NETNS]);
  const agent = await WatchAgent.open(settings.agentLogLevel, settings.agentLog);
  run.defer('stop the agent', () => agent.close());
  await createDriftEndpoint(agent.client);
  await sleep(QUIET_START_MS);
  return agent;
}

async function main(run: BenchmarkRun): Promise<void> {
  const { say } = run;
  const settings = parseSettings();
  const started = process.hrtime.bigint();
  const machine = await readMachineFacts();
  const a = await setUp(run, settings);
  const { drift, mutation } = settings;
  say(
    `part 1: kernel change → ${drift.watcherCounts.join(', ')} watchers, ${drift.warmup} + ${drift.rounds} rounds each`,
  );
  const driftSamples = await measureDrift(a.address, drift, say);
  say(
    `part 2: ${mutation.warmupPairs} warm-up pairs, then ${mutation.blocks} blocks per condition of ${mutation.pairsPerBlock} pairs`,
  );
  const blocks = await measureMutations(a.address, a.client, mutation, say);
  machine.loadAfter = readLoadAverage();
  await run.cleanUp();
  const figures: WatchFigures = {
    date: new Date().toISOString(),
    elapsedS: Number(process.hrtime.bigint() - started) / 1e9,
    machine,
    settings: { drift, mutation, agentLogLevel: settings.agentLogLevel },
    drift: driftSamples.map(computeDriftFigures),
    mutation: computeMutationFigures(blocks),
  };
  say(`\n${formatText(driftTable(figures))}\n\n${formatText(mutationTable(figures))}\n`);
  for (const line of [ratioLine(figures), ...stalledLines(figures), '', ...watchFindings(figures)]) say(line);
  say(`load average before ${machine.loadBefore}, after ${machine.loadAfter}`);
  if (settings.write)
    say(`wrote the watch section of ${writeBenchmarksMd('watch', formatWatchSection(figures))}`);
}

runBenchmark({ netnsPrefix: WATCH_NETNS_PREFIX, watchdogMs: WATCHDOG_MS, main });
