/**
 * The Method part of the Watch section of BENCHMARKS.md: how each part is measured, with this run's
 * settings, and where each clock starts.
 */
import type { WatchFigures } from './watchFigures';

const n = (x: number) => x.toLocaleString('en-US');

function layoutLines(f: WatchFigures): string[] {
  return [
    '- Layout: a throwaway host netns `mvbw-host` whose `eth0` is a veth into a bridge in `mvbw-switch`',
    `  (gateway 10.89.0.1/16); one \`mvnet-agent --netns mvbw-host --listen 127.0.0.1:0\` (log level ${f.settings.agentLogLevel},`,
    '  its defaults otherwise: bookmarks every 10 s, a watch queue of 1,000 events, at most 1,000 watchers and',
    '  128 streams a connection); a bridge-mode network `watchbench` on `eth0`, and one endpoint `c1` (`eth0`,',
    '  10.89.0.2) in the container netns `mvbw-c1`.',
  ];
}

function fanOutLines(f: WatchFigures): string[] {
  const o = f.settings.fanOut;
  const logged = f.fanOut.map((r) => `${r.mvnet.fromLogLine} of ${r.rounds}`).join(', ');
  return [
    `- Part 1, fan-out, at ${o.watcherCounts.map(n).join(', ')} watchers a server: the watchers are spread evenly over`,
    `  ${o.processes} client processes forked by the benchmark (bench/watch/watchClientProcess.ts), each watcher a`,
    '  `Watch(since_revision=0)` stream of the generated nice-grpc AgentService client, read with `for await`,',
    `  ${o.perChannel} streams a channel, each channel a TCP connection of its own. The agent's fleet and the peer's`,
    '  are open at once, in the same processes. A receipt is timed with `process.hrtime.bigint()` (CLOCK_MONOTONIC:',
    "  one clock for every process of the machine) first thing in the watcher's loop, once nice-grpc has decoded",
    '  the message: the clients decode the same messages on both sides.',
    '- mvnet rounds: one mutation through the SDK (`AgentClient`, on a connection of its own), alternately',
    '  `CreateNetwork` and `DeleteNetwork` of `wf-fanout` (bridge on `eth0`, 10.90.0.0/24): an ADDED or a DELETED',
    '  event. Its commit is bracketed, and each receipt is timed from both ends of the bracket:',
    "  - **upper bound** (the figure judged): from the later of the request's send and the event's own stamp",
    "    (`Date.now()`, whole ms, taken inside the transaction before SQLite's COMMIT and its disk sync), put on",
    "    the monotonic clock at a tick of `Date.now()` (to about a µs). It holds the commit's own disk write;",
    "  - **lower bound**: from the earlier of the mutation's reply and the end of the ms of the agent's first log",
    `    line naming the revision (written once it is committed; the reply comes after the agent has written to`,
    `    every stream, so alone it is loose). Rounds bounded by a log line: ${logged}.`,
    '- Peer rounds: a raw `@grpc/grpc-js` server in a process of its own (bench/watch/peerStreamProcess.ts: no',
    "  nice-grpc, no agent code; the agent's transport bounds), serving `/mvnet.v1.AgentService/Watch` with",
    "  identity serializers. A round writes one buffer to every stream in one loop: a copy of the agent's own",
    "  event of the same type, renumbered from the agent's latest revision and stamped now: the same size.",
    '  Timed from just before its first write.',
    `- Order: at each watcher count, ${o.warmup} uncounted rounds a side, then ${o.rounds} counted, interleaved M P P M M P...,`,
    `  with ${o.settleMs} ms before each round. For reference, ${o.rounds} of the same mutations with no watcher open.`,
  ];
}

function driftLines(f: WatchFigures): string[] {
  const o = f.settings.drift;
  return [
    `- Part 2, kernel change → DRIFT: one watcher (in the first client process, as above). A round`,
    "  (`ip -n mvbw-c1 link del eth0`, a change behind the agent's back) is seen by the agent through its kernel",
    '  monitor, whichever it uses; it checks the container, re-attaches the link (same MAC and address) and then',
    '  commits the DRIFT event: the latency holds the repair, not only the notice. Timed from the return of the',
    "  `ip` process (the target's clock) and from just before its spawn.",
    "- Peer: a bare rtnetlink listener (bench/watch/rtnlLinkListener.py, Python's standard library alone, under",
    '  `ip netns exec mvbw-host`): one NETLINK_ROUTE socket in the host netns, beside the agent, joined to',
    '  RTNLGRP_LINK with NETLINK_LISTEN_ALL_NSID; the benchmark gives `mvbw-c1` an nsid in the host netns before the',
    '  agent starts. It times its receipt of the RTM_DELLINK of `eth0` from that nsid with `time.monotonic_ns()`',
    '  (CLOCK_MONOTONIC): the same deletion as the agent, in the same round. The kernel sends that notification',
    "  while `ip` still waits for the deletion to end, so from ip's return the listener's figures are below 0:",
    "  the ratio to the peer is taken from ip's spawn, where both are above 0.",
    `- ${o.warmup} uncounted rounds, then ${o.rounds}; ${o.settleMs} ms after each, then the link is checked back.`,
  ];
}

function mutationLines(f: WatchFigures): string[] {
  const m = f.settings.mutation;
  return [
    `- Part 3, mutations: CreateNetwork + DeleteNetwork pairs (\`wb-N\` on \`eth0\`, 10.90.0.0/24), one at a time`,
    '  through one raw client on its own connection, each pair timed from the first request to the second reply.',
    `  ${m.warmupPairs} uncounted warm-up pairs, then blocks of ${m.pairsPerBlock} pairs, ${m.blocks} per condition, in`,
    '  A B B A order: no watcher at all, or one stalled watcher. A stalled watcher opens a stream (since 0, on',
    '  a connection of its own), reads it up to SYNCED and then nothing: HTTP/2 flow control stops the',
    "  agent's writes, and its queue in the agent fills (each pair is 2 events) until it overflows. At the block's",
    '  end it reads again: what it gets tells where it stalled and how the agent ended it.',
  ];
}

export function watchMethodLines(f: WatchFigures): string[] {
  return [...layoutLines(f), ...fanOutLines(f), ...driftLines(f), ...mutationLines(f)];
}
