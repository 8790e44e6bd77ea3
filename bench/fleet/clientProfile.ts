/**
 * The client's own CPU profile (this process, through node:inspector) over one extra round, not
 * counted: where the orchestrator's thread goes when it drives many hosts. Read with the apply
 * benchmark's reader (apply/cpuProfileCosts.ts) over each rollout's window: the fleet's functions
 * (callees included), each function's own time summed by where its code lives, and the hottest ones.
 */
import { Session } from 'node:inspector';
import { profileCosts, type ProfileCosts, type ProfileRow } from '../apply/cpuProfileCosts';
import { runRounds, type RolloutKind, type RoundsOptions } from './runRounds';

/** Sampling interval, µs (node's default): a rollout of 1,000 hosts lasts seconds. */
const INTERVAL_US = 1000;

/** What the profile is read for: the fleet's own computations, and the gRPC channels' upkeep. */
export const CLIENT_PROFILE_ROWS: ProfileRow[] = [
  {
    key: 'fresh',
    label: "a host's share made again, when it moved since the plan (rollout.ts replanned)",
    name: 'replanned',
    file: 'client/src/fleet/rollout',
  },
  {
    key: 'freshShares',
    label: '↳ of which hostShares, over every host of the file',
    name: 'hostShares',
    file: 'client/src/fleet/hostShares',
    under: 'fresh',
  },
  {
    key: 'shares',
    label: 'hostShares, all calls (the plan’s one included)',
    name: 'hostShares',
    file: 'client/src/fleet/hostShares',
  },
  {
    key: 'conflicts',
    label: 'the plan’s cross-host checks (crossHostConflicts)',
    name: 'crossHostConflicts',
    file: 'client/src/fleet/crossHostChecks',
  },
  {
    key: 'pool',
    label: "grpc-js's subchannel pool sweep (unrefUnusedSubchannels)",
    name: 'unrefUnusedSubchannels',
    file: '@grpc/grpc-js',
  },
];

/** Where a function's code lives, told from its profile label (`name (file:line)`): the first match. */
const AREAS: { label: string; test: RegExp }[] = [
  { label: '(idle): waiting for the agents', test: /^\(idle\)$/ },
  { label: '(garbage collector)', test: /^\(garbage collector\)$/ },
  {
    label: "the SDK's fleet code (client/src/fleet, with ipaddr.js)",
    test: /\(client\/src\/fleet\/|\(ipaddr\.js\//,
  },
  { label: "the SDK's client (client/src)", test: /\(client\/src\// },
  { label: 'protobuf (proto/gen, @bufbuild)', test: /\((proto\/gen|@bufbuild)\// },
  { label: 'grpc-js', test: /\(@grpc\// },
  { label: 'nice-grpc', test: /\((nice-grpc|abort-controller-x)/ },
  { label: "Node's own (http2, net, streams, timers)", test: /\(node:/ },
];
const OTHER_AREA = 'native code (sockets, TCP connects), regexps, the benchmark';

/** The rows of one rollout's window, and every function's own time summed by area. */
export interface ClientProfile extends ProfileCosts {
  areas: { label: string; ms: number }[];
}

/** The hottest functions listed per rollout. */
const HOTTEST = 8;

function clientProfile(text: string, window: { fromUs: bigint; toUs: bigint }): ClientProfile {
  const costs = profileCosts(text, window, CLIENT_PROFILE_ROWS, Number.POSITIVE_INFINITY);
  const areas = new Map<string, number>([...AREAS.map((a) => a.label), OTHER_AREA].map((l) => [l, 0]));
  for (const { label, ms } of costs.hottest) {
    const area = AREAS.find((a) => a.test.test(label))?.label ?? OTHER_AREA;
    areas.set(area, areas.get(area)! + ms);
  }
  return {
    ...costs,
    hottest: costs.hottest.filter((h) => !h.label.startsWith('(')).slice(0, HOTTEST),
    areas: [...areas].map(([label, ms]) => ({ label, ms })),
  };
}

/** One more round, uncounted, under the client's CPU profiler: each rollout's profile over its window. */
export async function profileRound(rounds: RoundsOptions): Promise<Record<RolloutKind, ClientProfile>> {
  rounds.say(`  ${rounds.label}: one more round under the client's CPU profiler (not counted)`);
  const { result, profile } = await withClientProfile(() =>
    runRounds({ ...rounds, warmup: 0, rounds: 1, label: `${rounds.label} profiled` }),
  );
  const of = (kind: RolloutKind) => clientProfile(profile, result.find((r) => r.kind === kind)!.window);
  return { apply: of('apply'), remove: of('remove') };
}

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) =>
    session.post(method, params, (err, result) => (err ? reject(err) : resolve(result as T))),
  );
}

/** Runs `work` under the CPU profiler; its result and the profile (a `.cpuprofile`'s text). A failure ends the profiler too. */
async function withClientProfile<T>(work: () => Promise<T>): Promise<{ result: T; profile: string }> {
  const session = new Session();
  session.connect();
  try {
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.setSamplingInterval', { interval: INTERVAL_US });
    await post(session, 'Profiler.start');
    const result = await work();
    const { profile } = await post<{ profile: object }>(session, 'Profiler.stop');
    return { result, profile: JSON.stringify(profile) };
  } finally {
    session.disconnect();
  }
}
