/**
 * The metrics benchmark's figures, computed once from the raw timings for the console and
 * BENCHMARKS.md alike: each measure on both agents side by side, with what the metrics add (the
 * difference, and the ratio of the medians).
 */
import type { ProcessReading } from '../memory/processMemory';
import type { MachineFacts } from '../shared/machineFacts';
import { summarize, type Summary } from '../shared/summarize';
import type { AttachResult, AttachSettings } from './attachPhase';
import { summarizeLatency, type LatencySummary } from './latencySummary';
import type { Side } from './metricsLayout';
import type { ScrapeResult, ScrapeSettings } from './scrapePhase';
import { UNARY_METHODS, type UnaryMethod } from './unaryCall';
import type { UnaryResult, UnarySettings } from './unaryPhase';

export interface MetricsSettings {
  unary: UnarySettings;
  attach: AttachSettings;
  scrape: ScrapeSettings;
  agentLogLevel: string;
}

/** One measure on both agents: each one's summary, on − off (ms), and on / off (medians). */
export interface Comparison {
  on: LatencySummary;
  off: LatencySummary;
  added: { median: number; p90: number; p99: number };
  ratio: number;
}

export interface MetricsFigures {
  date: string;
  machine: MachineFacts;
  settings: MetricsSettings;
  elapsedS: number;
  unary: Record<UnaryMethod, Comparison>;
  /** Calls per second at concurrency, over the rounds; ratio: on / off (medians). */
  throughput: { on: Summary; off: Summary; ratio: number };
  attach: Comparison;
  detach: Comparison;
  /** Each agent read once it served its network, before phase 1 (prom-client loaded or not). */
  rssAtStart: Record<Side, ProcessReading>;
  /** Each agent read right after phase 1. */
  rss: Record<Side, ProcessReading>;
  /** prom-client's own work for one call, measured alone (promClientFloor.ts), in µs. */
  promClientUs: number;
  scrape: {
    empty: { ms: Summary; bytes: number };
    full: { ms: Summary; bytes: number };
    createMs: number;
    /** ListNetworks on the `on` agent with its endpoints: quiet, and under scrapes. */
    quiet: LatencySummary;
    scraped: LatencySummary;
    /** The scrapes made during the scraped windows (undefined when none came). */
    burstScrapes?: Summary;
    /** scraped / quiet, of the p99s. */
    p99Ratio: number;
  };
}

/** Both sides' samples of one measure, compared. */
export function compare(samples: Record<Side, number[]>): Comparison {
  const on = summarizeLatency(samples.on);
  const off = summarizeLatency(samples.off);
  return {
    on,
    off,
    added: { median: on.median - off.median, p90: on.p90 - off.p90, p99: on.p99 - off.p99 },
    ratio: on.median / off.median,
  };
}

/** Computes the figures of a finished run. */
export function computeMetricsFigures(args: {
  machine: MachineFacts;
  settings: MetricsSettings;
  elapsedS: number;
  unary: UnaryResult;
  attach: AttachResult;
  rssAtStart: Record<Side, ProcessReading>;
  rss: Record<Side, ProcessReading>;
  promClientUs: number;
  scrape: ScrapeResult;
}): MetricsFigures {
  const { unary, attach, scrape } = args;
  const unaryFigures = Object.fromEntries(
    UNARY_METHODS.map((m) => [m, compare({ on: unary.serial.on[m], off: unary.serial.off[m] })]),
  ) as Record<UnaryMethod, Comparison>;
  const throughput = { on: summarize(unary.throughput.on), off: summarize(unary.throughput.off) };
  const quiet = summarizeLatency(scrape.burst.quiet);
  const scraped = summarizeLatency(scrape.burst.scraped);
  return {
    date: new Date().toISOString(),
    machine: args.machine,
    settings: args.settings,
    elapsedS: args.elapsedS,
    unary: unaryFigures,
    throughput: { ...throughput, ratio: throughput.on.median / throughput.off.median },
    attach: compare(attach.attach),
    detach: compare(attach.detach),
    rssAtStart: args.rssAtStart,
    rss: args.rss,
    promClientUs: args.promClientUs,
    scrape: {
      empty: { ms: summarize(scrape.empty.ms), bytes: scrape.empty.bytes },
      full: { ms: summarize(scrape.full.ms), bytes: scrape.full.bytes },
      createMs: scrape.createMs,
      quiet,
      scraped,
      burstScrapes: scrape.burst.scrapes.length > 0 ? summarize(scrape.burst.scrapes) : undefined,
      p99Ratio: scraped.p99 / quiet.p99,
    },
  };
}
