/**
 * The metrics benchmark against the house's expectations (issue 15 sets no target for what metrics
 * cost): metrics on adds at most 5% to a call's median, unary or attach, and takes at most 5% off the
 * throughput; a scrape of 1,000 endpoints takes at most 50 ms. What the scrapes do to the calls' tail,
 * and the memory the flag costs, have no target: they are reported as they are. One line each.
 */
import type { Comparison, MetricsFigures } from './metricsFigures';
import { UNARY_METHODS } from './unaryCall';

/** Metrics on / off, of a call's median: at most this. */
export const MEDIAN_RATIO_TARGET = 1.05;
/** Metrics on / off, of the calls per second at concurrency: at least this. */
export const THROUGHPUT_RATIO_TARGET = 0.95;
/** A scrape of the agent with its endpoints, at the median: at most this (ms). */
export const SCRAPE_TARGET_MS = 50;

const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
const signed = (x: number, digits: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;

function medianLine(what: string, c: Comparison, digits: number): string {
  return (
    `${what}: metrics on / off = ${c.ratio.toFixed(3)} (medians ${c.on.median.toFixed(digits)} / ` +
    `${c.off.median.toFixed(digits)} ms, ${signed(c.added.median, digits)} ms; target ≤ ` +
    `${MEDIAN_RATIO_TARGET}): ${verdict(c.ratio <= MEDIAN_RATIO_TARGET)}`
  );
}

/** Every target, met or NOT met, then the figures reported without one. */
export function verdictLines(f: MetricsFigures): string[] {
  const { unary, scrape } = f.settings;
  const t = f.throughput;
  const s = f.scrape;
  const rss = { on: f.rss.on.rssMiB, off: f.rss.off.rssMiB };
  const start = { on: f.rssAtStart.on.rssMiB, off: f.rssAtStart.off.rssMiB };
  return [
    ...UNARY_METHODS.map((m) => medianLine(`${m}, one call at a time`, f.unary[m], 3)),
    `ListNetworks and GetHost, ${unary.concurrency} in flight: metrics on / off = ${t.ratio.toFixed(3)} ` +
      `(calls/s, medians of ${unary.rounds} rounds: ${t.on.median.toFixed(0)} / ${t.off.median.toFixed(0)}; ` +
      `target ≥ ${THROUGHPUT_RATIO_TARGET}): ${verdict(t.ratio >= THROUGHPUT_RATIO_TARGET)}`,
    medianLine('CreateEndpoint (an attach into a fresh netns)', f.attach, 2),
    medianLine('DeleteEndpoint (its detach)', f.detach, 2),
    `a scrape of ${scrape.endpoints} endpoints on ${1 + scrape.networks} networks: ` +
      `${s.full.ms.median.toFixed(1)} ms (median; p90 ${s.full.ms.p90.toFixed(1)}; target ≤ ${SCRAPE_TARGET_MS} ms): ` +
      `${verdict(s.full.ms.median <= SCRAPE_TARGET_MS)}; ${(s.full.ms.median / s.empty.ms.median).toFixed(2)}× ` +
      `the scrape of the same agent with no endpoint (${s.empty.ms.median.toFixed(1)} ms); ` +
      `${(s.full.bytes / 1024).toFixed(1)} KiB against ${(s.empty.bytes / 1024).toFixed(1)} KiB`,
    `ListNetworks on the agent with ${scrape.endpoints} endpoints, scraped every ${scrape.scrapeIntervalMs} ms / ` +
      `quiet = ${s.p99Ratio.toFixed(2)} (p99s ${s.scraped.p99.toFixed(3)} / ${s.quiet.p99.toFixed(3)} ms; ` +
      `medians ${s.scraped.median.toFixed(3)} / ${s.quiet.median.toFixed(3)} ms; no target, reported as it is)`,
    `RSS: metrics on / off = ${(rss.on / rss.off).toFixed(2)} after the unary calls (${rss.on.toFixed(1)} / ` +
      `${rss.off.toFixed(1)} MiB, ${signed(rss.on - rss.off, 1)} MiB), ${(start.on / start.off).toFixed(2)} at ` +
      `start (${start.on.toFixed(1)} / ${start.off.toFixed(1)} MiB, ${signed(start.on - start.off, 1)} MiB); ` +
      'no target, reported as it is',
  ];
}
