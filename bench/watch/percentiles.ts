import { summarize } from '../shared/summarize';

/** A sample's median (p50), nearest-rank p99, min and max, in ms. */
export interface Percentiles {
  n: number;
  p50: number;
  p99: number;
  min: number;
  max: number;
}

export function percentiles(samples: number[]): Percentiles {
  const { n, median, min, max } = summarize(samples);
  const sorted = [...samples].sort((a, b) => a - b);
  const p99 = sorted[Math.min(n - 1, Math.ceil(0.99 * n) - 1)];
  return { n, p50: median, p99, min, max };
}

/** percentiles(), or undefined for no samples. */
export const percentilesIfAny = (samples: number[]) =>
  samples.length > 0 ? percentiles(samples) : undefined;
