/** A sample of timings, summed up: the figures the benchmark prints. */
export interface Summary {
  n: number;
  median: number;
  p90: number;
  min: number;
  max: number;
}

/** The value below which `q` of the sorted sample lies (nearest rank: always one of the samples). */
function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Median (the mean of the two middle values for an even count), nearest-rank p90, min and max. */
export function summarize(samples: number[]): Summary {
  if (samples.length === 0) throw new Error('no samples to summarize');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { n: sorted.length, median, p90: quantile(sorted, 0.9), min: sorted[0], max: sorted.at(-1)! };
}
