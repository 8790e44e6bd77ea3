#!/usr/bin/env node
/**
 * `npm run bench:watch` (not in package.json yet: `npm run build && node dist/bench/watchBench.js`):
 * how fast a change behind the agent's back reaches 1, 100 and 1,000 Watch clients, and whether a
 * watcher that stops reading slows mutations down; on throwaway namespaces (`mvbw-*`). Prints tables
 * and writes its section of BENCHMARKS.md. Needs root; bounded (a watchdog ends it); leaves nothing
 * behind, also on Ctrl-C.
 */
import { runBenchmark } from './runBenchmark';
import { Command, InvalidArgumentError } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { claimBenchLock, releaseBenchLock } from './benchLock';
import { formatText } from './figureTables';
import { readLoadAverage, readMachineFacts } from './machineFacts';
import { WatchAgent } from './watchAgent';
import { writeWatchSection } from './watchBenchmarksMd';
import { createDriftEndpoint, measureDrift } from './watchDriftPhase';
import { computeDriftFigures, computeMutationFigures, WatchFigures, WatchSettings } from './watchFigures';
import { watchFindings } from './watchFindings';
import { WATCH_HOST_NETNS } from './watchLayout';
import { measureMutations } from './watchMutationPhase';
import { makeWatchNamespaces, removeWatchNamespaces } from './watchNamespaces';
import { driftTable, mutationTable, ratioLine, stalledLines } from './watchTables';

/** Past this the run is stuck, not slow: it cleans up and fails. */
const WATCHDOG_MS = 6 * 60_000;
/**
 * New links take their IPv6 addresses a moment after they come up; an address event on the host
 * arms the agent's drift debounce as any change does, and would shorten a round that came just after.
 */
const QUIET_START_MS = 2000;

let agent: WatchAgent | undefined;
/** Until the lock is this run's, a running benchmark may own what is found: nothing to clean up. */
let lockHeld = false;
let cleaning: Promise<void> | undefined;
/** Set by a signal: the failures that cleaning up causes in the running phase are not news. */

const say = (text: string) => process.stdout.write(`${text}\n`);
// A closed stdout (`| head`) must not end the run before it has cleaned up: the rest goes unsaid.
process.stdout.on('error', () => undefined);

function count(min: number, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${min}..${max}`);
    return n;
  };
}

function counts(value: string): number[] {
  return value.split(',').map(count(1, 5000));
}

function parseSettings(): WatchSettings & { agentLog?: string; write: boolean } {
  const o = new Command('watchBench')
    .description('Watch: kernel change → client latency, and mutations beside a stalled watcher')
    .option('--watchers <n,n,...>', 'part 1: watcher counts', counts, [1, 100, 1000])
    .option('--rounds <n>', 'part 1: counted rounds per watcher count', count(1, 500), 30)
    .option('--warmup <n>', 'part 1: uncounted rounds first', count(0, 20), 2)
    .option('--per-channel <n>', 'part 1: watch streams per channel (connection)', count(1, 5000), 100)
    .option('--settle-ms <ms>', 'part 1: pause after each round', count(0, 10_000), 300)
    .option(
      '--pairs-per-block <n>',
      'part 2: CreateNetwork+DeleteNetwork pairs per block',
      count(1, 100_000),
      1500,
    )
    .option('--blocks <n>', 'part 2: blocks per condition', count(1, 20), 2)
    .option('--warmup-pairs <n>', 'part 2: uncounted pairs first', count(0, 10_000), 300)
    .option('--agent-log-level <level>', "the agent's log level", 'info')
    .option('--agent-log <file>', "copy the agent's log lines to this file")
    .option('--no-write', 'print only; leave BENCHMARKS.md as it is')
    .parse()
    .opts();
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

/** Stops the agent, removes every `mvbw-*` namespace and the lock; once, whoever calls first. */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    if (!lockHeld) return;
    await agent?.close().catch((err: Error) => say(`cannot stop the agent: ${err.message}`));
    await removeWatchNamespaces().catch((err: Error) => say(`cannot remove namespaces: ${err.message}`));
    releaseBenchLock();
  })();
  return cleaning;
}

/** Takes the benchmarks' lock, removes what a killed run left, builds the namespaces, starts the agent. */
async function setUp(settings: ReturnType<typeof parseSettings>): Promise<WatchAgent> {
  if (process.getuid?.() !== 0) throw new Error('needs root: it creates network namespaces and links');
  const leftOver = claimBenchLock(WATCH_HOST_NETNS);
  lockHeld = true;
  const namespaces = await removeWatchNamespaces();
  if (namespaces.length > 0) leftOver.push(`${namespaces.length} namespaces mvbw-*`);
  if (leftOver.length > 0) say(`removed what an earlier run left: ${leftOver.join(', ')}`);
  await makeWatchNamespaces();
  agent = await WatchAgent.open(settings.agentLogLevel, settings.agentLog);
  await createDriftEndpoint(agent.client);
  await sleep(QUIET_START_MS);
  return agent;
}

async function main(): Promise<void> {
  const settings = parseSettings();
  const started = process.hrtime.bigint();
  const machine = await readMachineFacts();
  const a = await setUp(settings);
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
  await cleanUp();
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
  if (settings.write) say(`wrote the Watch section of ${writeWatchSection(figures)}`);
}

runBenchmark({ main, cleanUp, say, watchdogMs: WATCHDOG_MS });
