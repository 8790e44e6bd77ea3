/**
 * The soak's section of BENCHMARKS.md (bench/shared/writeBenchmarksMd.ts places it): date, machine,
 * method, figures with the plot (bench/soak/soak.svg), the targets, how to reproduce.
 */
import { formatMarkdown, type Table } from '../shared/formatTable';
import { machineLines } from '../shared/machineLines';
import { soakTargetLines, type SoakFigures } from './soakFigures';
import type { Trend } from './trend';

/** Where the plot goes, from the top of the repository (BENCHMARKS.md links to it). */
export const SOAK_SVG = 'bench/soak/soak.svg';

function methodLines(f: SoakFigures): string[] {
  const { churn, cycles, perChannel, minutes, sampleMs } = f.settings;
  return [
    `- One \`mvnet-agent --netns mvbs-host --listen 127.0.0.1:0\` on a fresh state (log level ${f.settings.agentLogLevel}, its`,
    '  defaults otherwise), whose `eth0` is a veth into a bridge in `mvbs-switch`; under load for',
    `  ${minutes} min, read from /proc every ${sampleMs / 1000} s (VmRSS, /proc/PID/fd, the other processes of its process group).`,
    `- Watchers, from a process of their own (bench/memory/watchersProcess.ts, ${perChannel} streams per connection):`,
    `  ${churn.watchers} streams from revision 0; every ${churn.everyMs / 1000} s the ${churn.replace} oldest are closed and as many opened, half`,
    '  from revision 0 (the whole state again) and half from the latest revision' +
      (churn.stallEvery > 0
        ? `; every ${churn.stallEvery}th step one more stream that stops reading at SYNCED (its queue in the agent`
        : '.'),
    ...(churn.stallEvery > 0
      ? [
          '  overflows: the agent drops what it held and ends the stream with RESOURCE_EXHAUSTED when it can write',
          '  again); the oldest stalled stream is closed once 6 are open, so that the streams open stay as many all along.',
        ]
      : []),
    `- Mutations and drift, in cycles (${cycles.pauseMs} ms apart): a network never used before (\`soak<N>\`, a /24), ${cycles.endpoints}`,
    '  endpoints on it (new names, one per container netns of a pool `mvbs-c<i>`, 8 in flight), the links of',
    `  ${cycles.drifts} of them deleted inside their containers (\`ip -n mvbs-c<i> link del eth0\`) and the agent's DRIFT event`,
    '  for each awaited (it re-attaches them), then half the endpoints deleted one by one and the network',
    '  with the rest (force). The benchmark follows the DRIFT events on a Watch stream of its own.',
    '- Flat: a least-squares line is fitted to the second half of each series (the first holds the warm-up,',
    "  V8's heap and SQLite's cache growing to their working size). A series is flat when the rise of that line",
    '  over the half is within twice the standard deviation of the readings around it (where ~95% of them fall),',
    '  or within one unit (1 MiB, 1 fd, 1 process) when that is larger: a drift smaller than the scatter cannot',
    '  be told from it in one run; a longer soak (`--minutes`) narrows it.',
  ];
}

const row = (name: string, unit: string, values: number[], t: Trend): string[] => [
  `${name} (${unit})`,
  values[0].toFixed(1),
  values.at(-1)!.toFixed(1),
  `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`,
  t.slopePerMin.toFixed(3),
  t.rise.toFixed(2),
  t.noise.toFixed(2),
  t.flat ? 'yes' : 'NO',
];

function seriesTable(f: SoakFigures): Table {
  const s = f.samples;
  return {
    header: [
      'agent',
      'first',
      'last',
      'min–max',
      'slope /min (2nd half)',
      'rise over it',
      'σ of residuals',
      'flat',
    ],
    rows: [
      row(
        'RSS',
        'MiB',
        s.map((x) => x.rssMiB),
        f.trends.rss,
      ),
      row(
        'fds',
        'count',
        s.map((x) => x.fds),
        f.trends.fds,
      ),
      row(
        'children',
        'count',
        s.map((x) => x.children),
        f.trends.children,
      ),
    ],
  };
}

function loadLines(f: SoakFigures): string[] {
  const { cycles: c, churn: w } = f;
  const ended = Object.entries(f.ended);
  const warnings = Object.entries(f.agentLog);
  return [
    `In ${(f.elapsedS / 60).toFixed(1)} min: ${c.cycles} cycles, ${c.networks} networks made and deleted, ${c.attached} endpoints attached,`,
    `${c.drifted} links deleted behind the agent's back and repaired, ${c.deleted} endpoints deleted; the host's revision`,
    `reached ${c.revision}. Watch streams opened ${w.opened} (${w.stalled} of them stalled), closed ${w.closed}; ${w.open} open at the end.`,
    `Streams that read and yet were ended by the agent: ${ended.length === 0 ? 'none' : ended.map(([m, n]) => `${n} × ${m}`).join('; ')}.`,
    `The agent's warnings and errors: ${warnings.length === 0 ? 'none' : warnings.map(([m, n]) => `${n} × ${m}`).join('; ')}.`,
  ];
}

/** The section, without its markers. */
export function formatSoakSection(f: SoakFigures): string {
  return [
    '## Soak',
    '',
    `Written by \`npm run bench:soak\` (bench/soak/soakBench.ts) on ${f.date}, in ${f.elapsedS.toFixed(0)} s. It rewrites`,
    `only this section and [${SOAK_SVG}](${SOAK_SVG}). It is not part of \`bench:all\`.`,
    '',
    ...machineLines(f.machine, {
      noise: 'work runs beside the soak; it changes how fast the load goes, hardly what the agent holds',
    }),
    '',
    '### Method',
    '',
    ...methodLines(f),
    '',
    '### Figures',
    '',
    `![the agent's RSS, descriptors and child processes over the soak](${SOAK_SVG})`,
    '',
    formatMarkdown(seriesTable(f)),
    '',
    ...loadLines(f),
    '',
    '### Against the targets',
    '',
    ...soakTargetLines(f).map((l) => `- ${l}`),
    '',
    '### Reproduce',
    '',
    '```sh',
    'npm run bench:soak                     # 10 minutes',
    'npm run bench:soak -- --minutes 60     # a longer run narrows the noise band',
    '```',
    '',
    'As root; it ends by itself and leaves nothing behind: its namespaces are named `mvbs-*` and removed at',
    'the start (leftovers of a killed run) and at the end, also on Ctrl-C.',
  ].join('\n');
}
