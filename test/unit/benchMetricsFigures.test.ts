/**
 * bench:metrics's figures: the p99 it adds to the shared summary, the endpoints it reads back from a
 * scrape, the comparison of the two agents and its verdicts against the house's targets.
 */
import type { ProcessReading } from '../../bench/memory/processMemory';
import { countScrapedEndpoints } from '../../bench/metrics/countScrapedEndpoints';
import { summarizeLatency } from '../../bench/metrics/latencySummary';
import { compare, computeMetricsFigures, type MetricsSettings } from '../../bench/metrics/metricsFigures';
import { verdictLines } from '../../bench/metrics/metricsTargets';
import { sideOrder } from '../../bench/metrics/unaryPhase';
import type { MachineFacts } from '../../bench/shared/machineFacts';

const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

const SETTINGS: MetricsSettings = {
  unary: { iterations: 100, warmup: 0, concurrency: 16, rounds: 3, callsPerRound: 100 },
  attach: { attaches: 10, warmup: 0 },
  scrape: {
    scrapes: 5,
    endpoints: 1000,
    networks: 10,
    burstRounds: 1,
    burstCalls: 100,
    scrapeIntervalMs: 100,
  },
  agentLogLevel: 'info',
};

const MACHINE = { cpus: 2, cpuModel: 'x', memory: '1 GiB', loadBefore: '0 0 0' } as MachineFacts;

const reading = (rssMiB: number): ProcessReading => ({
  rssMiB,
  anonMiB: rssMiB / 2,
  fileMiB: rssMiB / 2,
  hwmMiB: rssMiB,
  fds: 20,
  children: 0,
});

/** A run in which the metrics add `added` ms to every call and attach, and the scrape takes `scrapeMs`. */
function figures(added: number, scrapeMs: number) {
  const calls = (base: number) => ({ on: range(100, () => base + added), off: range(100, () => base) });
  return computeMetricsFigures({
    machine: MACHINE,
    settings: SETTINGS,
    elapsedS: 1,
    unary: {
      serial: {
        on: { ListNetworks: calls(1).on, GetHost: calls(1).on },
        off: { ListNetworks: calls(1).off, GetHost: calls(1).off },
      },
      throughput: { on: [1000 / (1 + added)], off: [1000] },
    },
    attach: { attach: calls(5), detach: calls(20) },
    rssAtStart: { on: reading(66), off: reading(61) },
    rss: { on: reading(70), off: reading(60) },
    promClientUs: 0.8,
    scrape: {
      empty: { ms: [2], bytes: 2048 },
      full: { ms: range(50, () => scrapeMs), bytes: 4096 },
      createMs: 3000,
      burst: { quiet: range(100, () => 1), scraped: [...range(98, () => 1), 9, 9], scrapes: [scrapeMs] },
    },
  });
}

describe("bench:metrics's figures", () => {
  it('takes the nearest-rank p99, always one of the samples', () => {
    const s = summarizeLatency(range(200, (i) => i + 1));
    expect([s.median, s.p90, s.p99, s.max]).toEqual([100.5, 180, 198, 200]);
    expect(summarizeLatency([7]).p99).toBe(7);
  });

  it('compares the agents as on − off and on / off of the medians', () => {
    const c = compare({ on: [2, 3, 4], off: [1, 2, 3] });
    expect(c.added).toEqual({ median: 1, p90: 1, p99: 1 });
    expect(c.ratio).toBe(1.5);
  });

  it('alternates which agent goes first', () => {
    expect([sideOrder(0), sideOrder(1), sideOrder(2)]).toEqual([
      ['on', 'off'],
      ['off', 'on'],
      ['on', 'off'],
    ]);
  });

  it('sums the ready endpoints of every network from the scrape, and nothing else', () => {
    const text = [
      '# TYPE mvnet_endpoints gauge',
      'mvnet_endpoints{network="a",status="ready"} 600',
      'mvnet_endpoints{network="a",status="lost"} 3',
      'mvnet_endpoints{status="ready",network="b"} 400',
      'mvnet_endpoints_other{network="a",status="ready"} 9',
      'mvnet_networks{status="ready"} 2',
    ].join('\n');
    expect(countScrapedEndpoints(text)).toBe(1000);
    expect(countScrapedEndpoints(text, 'lost')).toBe(3);
  });

  it('meets every target when the metrics add 2% and a scrape takes 10 ms', () => {
    const lines = verdictLines(figures(0.02, 10));
    const judged = lines.filter((l) => !l.includes('no target'));
    expect(judged).toHaveLength(6);
    for (const line of judged) expect(line).toMatch(/: met/);
    expect(lines.find((l) => l.startsWith('a scrape of 1000 endpoints'))).toContain('5.00× the scrape');
    expect(lines.find((l) => l.startsWith('ListNetworks on the agent'))).toContain('= 9.00 (p99s 9.000');
    expect(lines.find((l) => l.startsWith('RSS'))).toContain('70.0 / 60.0 MiB, +10.0 MiB');
    expect(lines.find((l) => l.startsWith('RSS'))).toContain('66.0 / 61.0 MiB, +5.0 MiB');
  });

  it('says NOT met when the metrics add 10% to a call and a scrape takes 60 ms', () => {
    const lines = verdictLines(figures(0.1, 60));
    expect(lines[0]).toBe(
      'ListNetworks, one call at a time: metrics on / off = 1.100 (medians 1.100 / 1.000 ms, +0.100 ms; ' +
        'target ≤ 1.05): NOT met',
    );
    expect(lines.filter((l) => l.endsWith('NOT met') || l.includes('NOT met;'))).toHaveLength(4);
    expect(lines.find((l) => l.includes('in flight'))).toMatch(/= 0\.909 .*: NOT met$/);
  });
});
