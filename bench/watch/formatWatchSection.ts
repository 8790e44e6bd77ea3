/**
 * The Watch benchmark's section of BENCHMARKS.md (bench/shared/writeBenchmarksMd.ts places it): date,
 * machine, method, figures, what they say, how to reproduce.
 */
import { formatMarkdown } from '../shared/formatTable';
import { machineLines } from '../shared/machineLines';
import { WatchFigures } from './watchFigures';
import { watchFindings } from './watchFindings';
import { driftTable, mutationTable, ratioLine, stalledLines } from './watchTables';

function driftMethodLines(f: WatchFigures): string[] {
  const d = f.settings.drift;
  return [
    '- Layout: a throwaway host netns `mvbw-host` whose `eth0` is a veth into a bridge in `mvbw-switch`',
    `  (gateway 10.89.0.1/16); one \`mvnet-agent --netns mvbw-host --listen 127.0.0.1:0\` (log level ${f.settings.agentLogLevel},`,
    '  its defaults otherwise: bookmarks every 10 s, endpoint check every 5 s, a watch queue of 1,000 events); a',
    '  bridge-mode network `watchbench` on `eth0`, and one endpoint `c1` (`eth0`, 10.89.0.2) in the container netns `mvbw-c1`.',
    `- Part 1, kernel change → client: ${d.watcherCounts.map(String).join(', ')} concurrent watchers, each a raw nice-grpc`,
    "  `Watch(since_revision=0)` stream (`createClient(AgentServiceDefinition, channel)`), all in the benchmark's one",
    `  Node process, ${d.perChannel} streams per channel, each channel on a TCP connection of its own`,
    "  (`grpc.use_local_subchannel_pool`). The agent sets no `grpc.max_concurrent_streams`, and Node's HTTP/2",
    '  advertises no limit (2^32−1): the split is a choice, not a limit.',
    `- A round (${d.warmup} uncounted, then ${d.rounds} per watcher count): \`ip -n mvbw-c1 link del eth0\` — a change`,
    "  behind the agent's back — then, for every watcher, the time until it receives the DRIFT event for `c1`.",
    '  The agent sees the deletion through `ip monitor`, gathers changes for 50 ms (its debounce), checks the',
    '  container, re-attaches the link (same MAC and address) and commits the DRIFT event; the event is sent',
    `  after the repair. The next round starts ${d.settleMs} ms after the last watcher had it, once the link is back.`,
    "- Clocks: latencies run from ip's return (the deletion's notification goes out while ip still waits for the",
    "  kernel to finish the deletion, so this is a lower bound) and, for comparison, from just before ip's spawn",
    "  (an upper bound). The agent's part is the event's `time` (stamped inside its commit) minus the benchmark's",
    "  wall clock at ip's return; the fan-out is the receipt minus that stamp (both to 1 ms). A receipt is timed in",
    "  the watcher's own `for await` loop: with 1,000 watchers in one process, the client's decoding is in it.",
  ];
}

function mutationMethodLines(f: WatchFigures): string[] {
  const m = f.settings.mutation;
  return [
    `- Part 2, mutations: CreateNetwork + DeleteNetwork pairs (\`wb-N\` on \`eth0\`, 10.90.0.0/24), one at a time`,
    '  through one raw client on its own connection, each pair timed from the first request to the second reply.',
    `  ${m.warmupPairs} uncounted warm-up pairs, then blocks of ${m.pairsPerBlock} pairs, ${m.blocks} per condition, in`,
    '  A B B A order: no watcher at all, or one stalled watcher. A stalled watcher opens a stream (since 0, on',
    '  a connection of its own), reads it up to SYNCED and then nothing: HTTP/2 flow control stops the',
    "  agent's writes, and its queue in the agent fills (each pair is 2 events) until it overflows. At the block's",
    '  end it reads again: what it gets tells where it stalled and how the agent ended it.',
  ];
}

function figureLines(f: WatchFigures): string[] {
  const stray = f.drift.map((d) => `${d.strayEvents} with ${d.watchers}`).join(', ');
  return [
    '### Figures',
    '',
    'Kernel change → DRIFT event at each watcher, in ms (samples: watchers × rounds; p50 is the median):',
    '',
    formatMarkdown(driftTable(f)),
    '',
    `The \`ip link del\` process took ${f.drift.map((d) => d.ipDel.p50.toFixed(1)).join(' / ')} ms (p50, per watcher count).`,
    `Other live events the watchers got besides the awaited DRIFTs and bookmarks, in all: ${stray}.`,
    '',
    formatMarkdown(mutationTable(f)),
    '',
    `- ${ratioLine(f)}`,
    ...stalledLines(f).map((l) => `- ${l}`),
  ];
}

/** The section, without its markers. */
export function formatWatchSection(f: WatchFigures): string {
  return [
    '## Watch',
    '',
    `Written by \`npm run bench:watch\` (bench/watch/watchBench.ts) on ${f.date}, in ${f.elapsedS.toFixed(0)} s. It`,
    'rewrites only this section.',
    '',
    ...machineLines(f.machine, {
      noise:
        'work runs beside the benchmark and adds noise; the agent, its `ip` processes and every watcher share the 2 CPUs',
    }),
    '',
    '### Method',
    '',
    ...driftMethodLines(f),
    ...mutationMethodLines(f),
    '',
    ...figureLines(f),
    '',
    '### Reading the figures',
    '',
    ...watchFindings(f).map((l) => `- ${l}`),
    '',
    '### Reproduce',
    '',
    '```sh',
    'npm run bench:watch',
    'npm run bench:watch -- --watchers 1,100,1000 --rounds 30 --pairs-per-block 1500 --blocks 2   # the defaults',
    '```',
    '',
    'As root; it finishes by itself in a minute or two and leaves nothing behind: its namespaces are named',
    '`mvbw-*` and removed at the start (leftovers of a killed run) and at the end, also on Ctrl-C.',
  ].join('\n');
}
