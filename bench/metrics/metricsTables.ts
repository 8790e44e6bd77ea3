/**
 * The metrics benchmark's tables as rows of cells (shared/formatTable.ts renders them for the console
 * and for BENCHMARKS.md alike).
 */
import type { Table } from '../shared/formatTable';
import type { Summary } from '../shared/summarize';
import type { LatencySummary } from './latencySummary';
import type { Comparison, MetricsFigures } from './metricsFigures';
import { SIDES } from './metricsLayout';
import { UNARY_METHODS } from './unaryCall';

const fixed = (digits: number) => (x: number) => x.toFixed(digits);
const signed = (digits: number) => (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;

/** The rows of one measure: metrics on, metrics off, and what the metrics add. */
function comparisonRows(what: string, c: Comparison, digits: number): string[][] {
  const n = fixed(digits);
  const d = signed(digits);
  const row = (label: string, s: LatencySummary) => [
    label,
    n(s.median),
    n(s.p90),
    n(s.p99),
    `${n(s.min)}–${n(s.max)}`,
  ];
  return [
    row(`${what}, metrics on`, c.on),
    row(`${what}, metrics off`, c.off),
    [`↳ added by the metrics (on − off)`, d(c.added.median), d(c.added.p90), d(c.added.p99), ''],
  ];
}

/** Phase 1 one call at a time, and phase 2, in ms. */
export function callTable(f: MetricsFigures): Table {
  return {
    header: ['one call (ms)', 'median', 'p90', 'p99', 'min–max'],
    rows: [
      ...UNARY_METHODS.flatMap((m) => comparisonRows(m, f.unary[m], 3)),
      ...comparisonRows('CreateEndpoint', f.attach, 2),
      ...comparisonRows('DeleteEndpoint', f.detach, 2),
    ],
  };
}

/** Phase 1 at concurrency, in calls per second. */
export function throughputTable(f: MetricsFigures): Table {
  const t = f.throughput;
  const { concurrency, rounds } = f.settings.unary;
  const n = (x: number) => x.toFixed(0);
  return {
    header: [`calls/s, ${concurrency} in flight`, `median of ${rounds} rounds`, 'min–max'],
    rows: SIDES.map((side) => [`metrics ${side}`, n(t[side].median), `${n(t[side].min)}–${n(t[side].max)}`]),
  };
}

/** Each agent's memory before and after phase 1, in MiB. */
export function memoryTable(f: MetricsFigures): Table {
  const n = fixed(1);
  return {
    header: ['agent (MiB)', 'RSS at start', 'anon', 'RSS after phase 1', 'anon', 'file'],
    rows: SIDES.map((side) => [
      `metrics ${side}`,
      n(f.rssAtStart[side].rssMiB),
      n(f.rssAtStart[side].anonMiB),
      n(f.rss[side].rssMiB),
      n(f.rss[side].anonMiB),
      n(f.rss[side].fileMiB),
    ]),
  };
}

/** Where a unary call's difference goes: prom-client's own share of it. */
export function floorLines(f: MetricsFigures): string[] {
  const us = (x: number) => `${(x * 1000).toFixed(0)} µs`;
  const { ListNetworks, GetHost } = f.unary;
  return [
    `prom-client's own work per call (a histogram timer and a counter, with the agent's labels and buckets, ` +
      `measured alone in a tight loop in the benchmark's process, hot caches: a lower bound): ${f.promClientUs.toFixed(2)} µs; the medians' difference ` +
      `per call is ${us(ListNetworks.added.median)} (ListNetworks) and ${us(GetHost.added.median)} (GetHost)`,
  ];
}

function scrapeRow(label: string, s: Summary, bytes?: number): string[] {
  const ms = fixed(1);
  return [
    label,
    ms(s.median),
    ms(s.p90),
    `${ms(s.min)}–${ms(s.max)}`,
    bytes === undefined ? '' : String(bytes),
  ];
}

/** Phase 3: the scrapes, and the calls beside them. */
export function scrapeTable(f: MetricsFigures): Table {
  const s = f.scrape;
  const { endpoints, networks, scrapeIntervalMs } = f.settings.scrape;
  return {
    header: ['GET /metrics (ms)', 'median', 'p90', 'min–max', 'bytes'],
    rows: [
      scrapeRow('1 network, no endpoint', s.empty.ms, s.empty.bytes),
      scrapeRow(`${1 + networks} networks, ${endpoints} endpoints`, s.full.ms, s.full.bytes),
      ...(s.burstScrapes
        ? [scrapeRow(`the same, every ${scrapeIntervalMs} ms beside the calls below`, s.burstScrapes)]
        : []),
    ],
  };
}

/** Phase 3: ListNetworks one at a time on the agent with its endpoints, quiet and scraped. */
export function stallTable(f: MetricsFigures): Table {
  const ms = fixed(3);
  const row = (label: string, s: LatencySummary) => [label, ms(s.median), ms(s.p90), ms(s.p99), ms(s.max)];
  const every = f.settings.scrape.scrapeIntervalMs;
  return {
    header: ['ListNetworks, metrics on, with the endpoints (ms)', 'median', 'p90', 'p99', 'max'],
    rows: [row('quiet', f.scrape.quiet), row(`a scrape every ${every} ms`, f.scrape.scraped)],
  };
}
