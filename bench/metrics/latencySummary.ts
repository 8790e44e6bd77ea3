import { summarize, type Summary } from '../shared/summarize';

/** A sample of call times summed up, with the tail the metrics benchmark looks at: p99. */
export interface LatencySummary extends Summary {
  p99: number;
}

/** summarize() (median, nearest-rank p90, min, max) and the nearest-rank p99: always one of the samples. */
export function summarizeLatency(samples: number[]): LatencySummary {
  const summary = summarize(samples);
  const sorted = [...samples].sort((a, b) => a - b);
  const p99 = sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(0.99 * sorted.length) - 1))];
  return { ...summary, p99 };
}
