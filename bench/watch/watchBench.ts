#!/usr/bin/env node
/**
 * `npm run bench:watch`: issue 14's watch targets, each against its peer in the same run, on throwaway
 * namespaces (`mvbw-*`). Part 1: an event's fan-out from its commit to 1,000 watchers in 2 client
 * processes, against a raw grpc-js server streaming the same bytes to as many streams, interleaved.
 * Part 2: a change behind the agent's back to its DRIFT event at one watcher, against a bare rtnetlink
 * listener hearing the same change. Part 3: mutations beside a stalled watcher. Prints tables and
 * writes its section of BENCHMARKS.md. Needs root; bounded (a watchdog ends it); leaves nothing
 * behind, also on Ctrl-C.
 */
import { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { addBenchOptions } from '../shared/addBenchOptions';
import { addNamespaces, makeSwitchedHost } from '../shared/benchNamespaces';
import { integerIn } from '../shared/integerIn';
import { readLoadAverage, readMachineFacts } from '../shared/machineFacts';
import { runBenchmark, type BenchmarkRun } from '../shared/runBenchmark';
import { writeBenchmarksMd } from '../shared/writeBenchmarksMd';
import { measureCommitAlone } from './commitAlone';
import { measureFanOut } from './fanOutPhase';
import { formatWatchSection } from './formatWatchSection';
import { LinkListener, listenerPython } from './LinkListener';
import { computeMutationFigures } from './mutationFigures';
import { capturePeerMessages, type PeerMessages } from './peerMessages';
import { PeerStreamServer } from './PeerStreamServer';
import { WatchAgent } from './watchAgent';
import { WatchClients } from './WatchClients';
import { createDriftEndpoint, followContainer, measureDrift } from './watchDriftPhase';
import {
  computeCommitAloneFigures,
  computeDriftFigures,
  computeFanOutFigures,
  type WatchFigures,
  type WatchSettings,
} from './watchFigures';
import { WATCH_CONTAINER_NETNS, WATCH_HOST, WATCH_HOST_NETNS, WATCH_NETNS_PREFIX } from './watchLayout';
import { measureMutations } from './watchMutationPhase';
import { printWatchFigures } from './printWatchFigures';

/** Past this the run is stuck, not slow: it cleans up and fails. */
const WATCHDOG_MS = 8 * 60_000;
/**
 * New links take their IPv6 addresses a moment after they come up; those changes on the host are not
 * part of any round.
 */
const QUIET_START_MS = 2000;
/** After a fleet closes, for the agent to end its streams before the next part opens its own. */
const FLEET_GONE_MS = 1000;

function counts(value: string): number[] {
  return value.split(',').map(integerIn(1, 1000));
}

type Settings = WatchSettings & { agentLog?: string; write: boolean };

function parseSettings(): Settings {
  const command = new Command('watchBench')
    .description(
      'Watch: fan-out from the commit, and kernel change → DRIFT, each against its peer; mutations beside a stalled watcher',
    )
    .option('--watchers <n,n,...>', 'part 1: watcher counts (each side)', counts, [1, 100, 1000])
    .option('--rounds <n>', 'part 1: counted rounds per side and watcher count', integerIn(1, 1000), 100)
    .option('--warmup <n>', 'part 1: uncounted rounds first, per side', integerIn(0, 100), 5)
    .option('--processes <n>', 'part 1: client processes holding the watchers', integerIn(1, 16), 2)
    .option(
      '--per-channel <n>',
      "part 1: watch streams per channel (at most the agent's 128 per connection)",
      integerIn(1, 128),
      100,
    )
    .option('--settle-ms <ms>', 'part 1: pause before each round', integerIn(0, 10_000), 30)
    .option('--drift-rounds <n>', 'part 2: counted rounds', integerIn(1, 1000), 100)
    .option('--drift-warmup <n>', 'part 2: uncounted rounds first', integerIn(0, 20), 2)
    .option('--drift-settle-ms <ms>', 'part 2: pause after each round', integerIn(0, 10_000), 250)
    .option(
      '--pairs-per-block <n>',
      'part 3: CreateNetwork+DeleteNetwork pairs per block',
      integerIn(1, 100_000),
      1500,
    )
    .option('--blocks <n>', 'part 3: blocks per condition', integerIn(1, 20), 2)
    .option('--warmup-pairs <n>', 'part 3: uncounted pairs first', integerIn(0, 10_000), 300);
  const o = addBenchOptions(command).parse().opts();
  return {
    fanOut: {
      watcherCounts: o.watchers,
      rounds: o.rounds,
      warmup: o.warmup,
      processes: o.processes,
      perChannel: o.perChannel,
      settleMs: o.settleMs,
    },
    drift: { rounds: o.driftRounds, warmup: o.driftWarmup, settleMs: o.driftSettleMs },
    mutation: { pairsPerBlock: o.pairsPerBlock, blocks: o.blocks, warmupPairs: o.warmupPairs, pauseMs: 200 },
    agentLogLevel: o.agentLogLevel,
    agentLog: o.agentLog,
    write: o.write,
  };
}

interface Bench {
  agent: WatchAgent;
  clients: WatchClients;
  listener: LinkListener;
  nsid: number;
  peer: PeerStreamServer;
  messages: PeerMessages;
}

/**
 * Takes the machine, builds the namespaces, starts the agent, the client processes, the rtnetlink
 * listener and the peer server (all stopped when the run cleans up).
 */
async function setUp(run: BenchmarkRun, settings: Settings): Promise<Bench> {
  await run.claimMachine();
  await makeSwitchedHost(WATCH_HOST);
  await addNamespaces([WATCH_CONTAINER_NETNS]);
  const nsid = await followContainer();
  const agent = await WatchAgent.open(settings.agentLogLevel, settings.agentLog);
  run.defer('stop the agent', () => agent.close());
  await createDriftEndpoint(agent.client);
  const clients = WatchClients.start(settings.fanOut.processes);
  run.defer('stop the client processes', () => clients.stop());
  const listener = await LinkListener.start(WATCH_HOST_NETNS);
  run.defer('stop the rtnetlink listener', () => listener.stop());
  const messages = await capturePeerMessages(agent.sdk, agent.client);
  const peer = await PeerStreamServer.start(messages.synced);
  run.defer('stop the peer server', () => peer.stop());
  await sleep(QUIET_START_MS);
  return { agent, clients, listener, nsid, peer, messages };
}

async function main(run: BenchmarkRun): Promise<void> {
  const { say } = run;
  const settings = parseSettings();
  const started = process.hrtime.bigint();
  const machine = await readMachineFacts();
  const b = await setUp(run, settings);
  const { fanOut, drift, mutation } = settings;
  say(
    `part 1: fan-out to ${fanOut.watcherCounts.join(', ')} watchers over ${fanOut.processes} processes, mvnet and peer`,
  );
  const commitAlone = await measureCommitAlone(b.agent.sdk, b.agent.client, fanOut.rounds);
  const fanOutSamples = await measureFanOut(
    {
      clients: b.clients,
      sdk: b.agent.sdk,
      revisions: b.agent.revisions,
      agentAddress: b.agent.address,
      peer: b.peer,
      messages: b.messages,
    },
    fanOut,
    say,
  );
  await sleep(FLEET_GONE_MS);
  say(
    `part 2: kernel change → DRIFT at 1 watcher, and at the rtnetlink listener: ${drift.warmup} + ${drift.rounds} rounds`,
  );
  const driftSample = await measureDrift(
    { clients: b.clients, agentAddress: b.agent.address, listener: b.listener, nsid: b.nsid },
    drift,
  );
  await sleep(FLEET_GONE_MS);
  say(
    `part 3: ${mutation.warmupPairs} warm-up pairs, then ${mutation.blocks} blocks per condition of ${mutation.pairsPerBlock} pairs`,
  );
  const blocks = await measureMutations(b.agent.address, b.agent.client, mutation, say);
  machine.loadAfter = readLoadAverage();
  await run.cleanUp();
  const figures: WatchFigures = {
    date: new Date().toISOString(),
    elapsedS: Number(process.hrtime.bigint() - started) / 1e9,
    machine,
    python: await listenerPython(),
    settings: { fanOut, drift, mutation, agentLogLevel: settings.agentLogLevel },
    commitAlone: computeCommitAloneFigures(commitAlone),
    fanOut: fanOutSamples.map(computeFanOutFigures),
    drift: computeDriftFigures(driftSample),
    mutation: computeMutationFigures(blocks),
  };
  printWatchFigures(figures, say);
  if (settings.write)
    say(`wrote the watch section of ${writeBenchmarksMd('watch', formatWatchSection(figures))}`);
}

runBenchmark({ netnsPrefix: WATCH_NETNS_PREFIX, watchdogMs: WATCHDOG_MS, main });
