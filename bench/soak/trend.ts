/**
 * Is a series flat? A least-squares line is fitted to its second half (the first holds the warm-up:
 * V8's heap and SQLite's cache growing to their working size), and the rise that line makes over the
 * half is compared with the noise around it. The series is flat when that rise is within twice the
 * residuals' standard deviation (the band where ~95% of the readings fall), or within one unit of
 * what is measured (1 MiB, one descriptor, one process), whichever is larger: a drift smaller than
 * the readings' own scatter cannot be told from it in one run, and a longer soak narrows the band.
 */

export interface Point {
  /** Seconds since the start. */
  t: number;
  y: number;
}

export interface Trend {
  /** The fitted half: its first and last time, in s. */
  from: number;
  to: number;
  intercept: number;
  /** Per minute. */
  slopePerMin: number;
  /** What the line rises over the fitted half. */
  rise: number;
  /** Standard deviation of the residuals. */
  noise: number;
  /** The band the rise must stay within: max(2 × noise, resolution). */
  band: number;
  flat: boolean;
}

/** Least squares over `points`: y = intercept + slope × t. */
function fitLine(points: Point[]): { intercept: number; slope: number } {
  const n = points.length;
  const meanT = points.reduce((s, p) => s + p.t, 0) / n;
  const meanY = points.reduce((s, p) => s + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.t - meanT) * (p.y - meanY);
    sxx += (p.t - meanT) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { intercept: meanY - slope * meanT, slope };
}

/** The trend of the second half of `points` (in time order); `resolution` in the series' unit. */
export function fitTrend(points: Point[], resolution: number): Trend {
  const end = points.at(-1)!.t;
  const half = points.filter((p) => p.t >= end / 2);
  const { intercept, slope } = fitLine(half);
  const residuals = half.map((p) => p.y - (intercept + slope * p.t));
  const noise = Math.sqrt(residuals.reduce((s, r) => s + r * r, 0) / Math.max(1, half.length - 2));
  const from = half[0].t;
  const rise = slope * (end - from);
  const band = Math.max(2 * noise, resolution);
  return {
    from,
    to: end,
    intercept,
    slopePerMin: slope * 60,
    rise,
    noise,
    band,
    flat: Math.abs(rise) <= band,
  };
}
