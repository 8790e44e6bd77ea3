/**
 * The memory benchmark's section of BENCHMARKS.md (bench/shared/writeBenchmarksMd.ts places it): date,
 * machine, method, figures, the targets, how to reproduce.
 */
import { formatMarkdown } from '../shared/formatTable';
import { machineLines } from '../shared/machineLines';
import { EARLY_MS, memoryTargets, type MemoryFigures } from './memoryFigures';
import { idleTable, scaleTable } from './memoryTables';

function idleMethodLines(f: MemoryFigures): string[] {
  const s = f.idleSettings!;
  return [
    `- Part 1, idle: ${s.rounds} rounds; in each, four processes are started one after the other (the order turns`,
    '  each round) and then read side by side from /proc every 250 ms, each from the moment it was ready until it',
    `  has been idle ${s.settleMs / 1000} s: the agent (\`mvnet-agent --netns mvbm-host --listen 127.0.0.1:0\`, a fresh state dir,`,
    `  log level ${f.agentLogLevel}), ready once it logs \`serving\`; the same after one \`GetHost\` call on a connection closed`,
    '  after it; the peer, `node` running an empty `@grpc/grpc-js` server on 127.0.0.1 (bench/memory/emptyGrpcServer.ts),',
    "  ready once bound; and bare `node -e 'setInterval(()=>{},1e9)'`, for scale. All run as `node <script>`",
    '  with no Node options: what the agent sets for itself is part of it.',
    '- RSS is VmRSS of /proc/PID/status, in MiB (its kB / 1024), split into RssAnon (the V8 heap, malloc, stacks)',
    '  and RssFile (mapped files: the node binary, native modules; shared with other processes); the peak is',
    "  VmHWM; fds count /proc/PID/fd; children are the other processes of the agent's process group.",
    `- Two instants: ${EARLY_MS / 1000} s after ready, and at the end. In between, V8's memory reducer usually runs once (about`,
    '  8 s after the last full GC, when the allocation rate is low): it compacts the heap and shrinks the young',
    '  generation. Medians over the rounds; min–max of the settled readings.',
  ];
}

function scaleMethodLines(f: MemoryFigures): string[] {
  const s = f.scaleSettings!;
  return [
    `- Part 2, at scale: one agent on a fresh state in \`mvbm-host\`, whose \`eth0\` is a veth into a bridge in \`mvbm-switch\`.`,
    `  ${s.networks} bridge-mode networks on \`eth0\` (\`scale<i>\`, a /22 each out of 10.92.0.0/16), then ${s.endpoints} endpoints, one`,
    `  per container netns \`mvbm-c<i>\` (${s.endpoints} namespaces), by \`CreateEndpoint\`, 8 in flight. Then ${s.watchers} Watch streams`,
    `  from revision 0 (the whole state as ADDED, then SYNCED, then live), from a process of their own`,
    `  (bench/memory/watchersProcess.ts), ${s.perChannel} per connection, a connection at a time. Every stream is proved`,
    '  live: each sees the network `probe` added. The agent is read after idling',
    `  ${s.settleMs / 1000} s at each stage: started, with the endpoints, with the watchers too, and once they are closed.`,
  ];
}

/** What each stage added to the agent's RSS, per object. */
function scaleCosts(f: MemoryFigures): string[] {
  const { endpoints, watchers } = f.scaleSettings!;
  const r = f.scale!.readings;
  const added = (from: number, to: number, count: number) =>
    `${(to - from).toFixed(1)} MiB (${(((to - from) * 1024) / Math.max(1, count)).toFixed(0)} KiB each)`;
  return [
    `The endpoints added ${added(r.started.rssMiB, r.endpoints.rssMiB, endpoints)} to the agent's RSS, the watchers`,
    `${added(r.endpoints.rssMiB, r['endpoints and watchers'].rssMiB, watchers)}; once they were closed the agent held`,
    `${(r['watchers gone'].rssMiB - r.endpoints.rssMiB).toFixed(1)} MiB more than before they came (memory freed inside the process is not always`,
    'given back to the system).',
  ];
}

function figureLines(f: MemoryFigures): string[] {
  const lines = ['### Figures', ''];
  if (f.idle) lines.push(formatMarkdown(idleTable(f)), '');
  if (f.scale) {
    const s = f.scale;
    const ended = Object.entries(s.ended);
    lines.push(
      formatMarkdown(scaleTable(f)),
      '',
      `The ${f.scaleSettings!.endpoints} endpoints took ${(s.createMs / 1000).toFixed(1)} s; the watchers ${(s.openMs / 1000).toFixed(1)} s to open and`,
      `get the state; the probe network reached every one in ${s.probeMs.toFixed(0)} ms. The watchers' own process held`,
      `${s.client.rssMiB.toFixed(1)} MiB and ${s.client.fds} fds. Streams the agent ended on its own: ${ended.length === 0 ? 'none' : ended.map(([m, n]) => `${n} (${m})`).join(', ')}.`,
      '',
      ...scaleCosts(f),
      '',
    );
  }
  return lines;
}

/** The section, without its markers. */
export function formatMemorySection(f: MemoryFigures): string {
  return [
    '## Memory',
    '',
    `Written by \`npm run bench:memory\` (bench/memory/memoryBench.ts) on ${f.date}, in ${f.elapsedS.toFixed(0)} s. It`,
    'rewrites only this section.',
    '',
    ...machineLines(f.machine, {
      noise:
        'work runs beside the benchmark; memory depends little on it, but the timing of V8’s collections does',
    }),
    '',
    '### Method',
    '',
    ...(f.idle ? idleMethodLines(f) : []),
    ...(f.scale ? scaleMethodLines(f) : []),
    '',
    ...figureLines(f),
    '### Against the targets',
    '',
    ...memoryTargets(f).map((t) => `- ${t.text}`),
    '',
    '### Reproduce',
    '',
    '```sh',
    'npm run bench:memory',
    'npm run bench:memory -- --rounds 3 --settle-s 15 --endpoints 1000 --watchers 1000 --per-channel 100   # the defaults',
    'npm run bench:memory -- --only idle',
    '```',
    '',
    'As root; it finishes by itself in about three minutes and leaves nothing behind: its namespaces are',
    'named `mvbm-*` and removed at the start (leftovers of a killed run) and at the end, also on Ctrl-C.',
  ].join('\n');
}
