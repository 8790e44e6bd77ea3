/** The soak's figures: its timeline, the trend of each series, what the load did, and the verdicts. */
import type { MachineFacts } from '../shared/machineFacts';
import type { ChurnCounts } from './soakChurn';
import type { CycleCounts } from './soakCycles';
import type { SoakSample } from './SoakSampler';
import type { SoakSettings } from './soakSettings';
import { fitTrend, type Trend } from './trend';

export interface SoakFigures {
  date: string;
  elapsedS: number;
  machine: MachineFacts;
  settings: Omit<SoakSettings, 'agentLog' | 'write'>;
  samples: SoakSample[];
  trends: { rss: Trend; fds: Trend; children: Trend };
  cycles: CycleCounts;
  churn: ChurnCounts;
  /** Streams the agent ended on its own, by message (the stalled ones: RESOURCE_EXHAUSTED). */
  ended: Record<string, number>;
  /** The agent's warnings and errors in its log, by message. */
  agentLog: Record<string, number>;
}

/** Trends of RSS (1 MiB resolution), fds and children (one each). */
export function computeTrends(samples: SoakSample[]): SoakFigures['trends'] {
  const series = (pick: (s: SoakSample) => number) => samples.map((s) => ({ t: s.t, y: pick(s) }));
  return {
    rss: fitTrend(
      series((s) => s.rssMiB),
      1,
    ),
    fds: fitTrend(
      series((s) => s.fds),
      1,
    ),
    children: fitTrend(
      series((s) => s.children),
      1,
    ),
  };
}

/** One line per series: met or NOT met, with the rise as a ratio of the noise band. */
export function soakTargetLines(f: SoakFigures): string[] {
  const line = (what: string, unit: string, one: string, t: Trend) =>
    `${what} flat over the second half: ${t.flat ? 'met' : 'NOT met'}; the fitted line rises ` +
    `${t.rise.toFixed(2)} ${unit} in ${((t.to - t.from) / 60).toFixed(1)} min (${t.slopePerMin.toFixed(3)} ${unit}/min), ` +
    `${(Math.abs(t.rise) / t.band).toFixed(2)}× the noise band (${t.band.toFixed(2)} ${unit}: 2σ of the residuals, at least ${one})`;
  return [
    line('RSS', 'MiB', 'one MiB', f.trends.rss),
    line('file descriptors', 'fds', 'one fd', f.trends.fds),
    line('child processes', 'processes', 'one process', f.trends.children),
  ];
}
