/**
 * Phase 3, scrapes of the `on` agent. First `scrapes` scrapes of it as phases 1 and 2 left it (the
 * network `bench`, no endpoint); then `networks` more networks and `endpoints` endpoints, one per
 * container netns `mvbp-c<i>` (real namespaces and macvlans, 8 CreateEndpoint calls in flight, not
 * timed), and `scrapes` scrapes again, the last one checked to count them all. Then the stall: in each
 * of `burstRounds` rounds, two windows of `burstCalls` ListNetworks calls one at a time, one quiet and
 * one with a scrape every `scrapeIntervalMs`, which goes first alternating. The containers are left
 * to the run's cleanup, which stops the agents before it removes them (no drift to chase).
 */
import { runPool } from '../attach/runPool';
import { addNamespaces } from '../shared/benchNamespaces';
import { countScrapedEndpoints } from './countScrapedEndpoints';
import { MetricsScraper, type Scrape } from './MetricsScraper';
import { scaleNetns, scaleNetwork } from './metricsLayout';
import type { MetricsAgent, MetricsAgents } from './openMetricsAgents';
import { timeUnary } from './unaryCall';

export interface ScrapeSettings {
  scrapes: number;
  endpoints: number;
  networks: number;
  burstRounds: number;
  burstCalls: number;
  scrapeIntervalMs: number;
}

export const BURST_WINDOWS = ['quiet', 'scraped'] as const;
export type BurstWindow = (typeof BURST_WINDOWS)[number];

export interface ScrapeResult {
  /** Scrapes of the agent with no endpoint: ms each, and the last body's size in bytes. */
  empty: { ms: number[]; bytes: number };
  /** The same with the endpoints. */
  full: { ms: number[]; bytes: number };
  /** The wall time of making the endpoints (8 in flight), in ms. */
  createMs: number;
  /** ListNetworks calls (ms each) by window, and the scrapes made during the scraped windows (ms each). */
  burst: Record<BurstWindow, number[]> & { scrapes: number[] };
}

/** Attaches before the scrapes: 8 in flight, as the memory benchmark makes its 1,000. */
const PARALLEL = 8;

async function scrapeTimes(scraper: MetricsScraper, count: number): Promise<{ ms: number[]; last: Scrape }> {
  const ms: number[] = [];
  let last: Scrape | undefined;
  for (let i = 0; i < count; i++) {
    last = await scraper.scrape();
    ms.push(last.ms);
  }
  return { ms, last: last! };
}

async function createEndpoints(a: MetricsAgent, s: ScrapeSettings): Promise<number> {
  for (let n = 0; n < s.networks; n++) {
    const { name, cidr, gateway } = scaleNetwork(n);
    await a.client.createNetwork({ network: { name, parent: 'eth0', subnets: [{ cidr, gateway }] } });
  }
  const indexes = Array.from({ length: s.endpoints }, (_, i) => i);
  await addNamespaces(indexes.map(scaleNetns));
  return runPool(indexes, PARALLEL, (i) =>
    a.client.createEndpoint({
      endpoint: { name: `c${i}`, network: scaleNetwork(i % s.networks).name, netns: scaleNetns(i) },
    }),
  );
}

/** Each round's two windows of calls, the scraper running in one. */
async function measureBurst(
  a: MetricsAgent,
  scraper: MetricsScraper,
  s: ScrapeSettings,
): Promise<ScrapeResult['burst']> {
  const burst: ScrapeResult['burst'] = { quiet: [], scraped: [], scrapes: [] };
  const networks = 1 + s.networks; // bench, and the scale networks
  for (let round = 0; round < s.burstRounds; round++) {
    for (let k = 0; k < BURST_WINDOWS.length; k++) {
      const window = BURST_WINDOWS[(round + k) % BURST_WINDOWS.length];
      const stop = window === 'scraped' ? scraper.scrapeEvery(s.scrapeIntervalMs) : undefined;
      for (let i = 0; i < s.burstCalls; i++) burst[window].push(await timeUnary(a, 'ListNetworks', networks));
      if (stop) burst.scrapes.push(...(await stop()));
    }
  }
  return burst;
}

/** Runs phase 3 on the `on` agent; `say` tells what it is doing. */
export async function measureScrape(
  agents: MetricsAgents,
  s: ScrapeSettings,
  say: (text: string) => void,
): Promise<ScrapeResult> {
  const a = agents.on;
  const scraper = new MetricsScraper(agents.metricsUrl);
  try {
    const empty = await scrapeTimes(scraper, s.scrapes);
    say(`  ${s.endpoints} endpoints on ${s.networks} more networks (not timed)...`);
    const createMs = await createEndpoints(a, s);
    const full = await scrapeTimes(scraper, s.scrapes);
    const counted = countScrapedEndpoints(full.last.text);
    if (counted !== s.endpoints)
      throw new Error(`the scrape counts ${counted} ready endpoints, not ${s.endpoints}`);
    const { endpoints } = await a.client.listEndpoints({});
    if (endpoints.length !== s.endpoints) throw new Error(`the agent holds ${endpoints.length} endpoints`);
    say(
      `  ${s.burstRounds} rounds of ${s.burstCalls} calls quiet, and as many under a scrape every ${s.scrapeIntervalMs} ms...`,
    );
    const burst = await measureBurst(a, scraper, s);
    return {
      empty: { ms: empty.ms, bytes: empty.last.bytes },
      full: { ms: full.ms, bytes: full.last.bytes },
      createMs,
      burst,
    };
  } finally {
    scraper.close();
  }
}
