/** The metrics benchmark's options (`npm run bench:metrics -- --help`). */
import { Command } from 'commander';
import { addBenchOptions } from '../shared/addBenchOptions';
import { integerIn } from '../shared/integerIn';
import type { MetricsSettings } from './metricsFigures';

export type MetricsRunSettings = MetricsSettings & { agentLog?: string; write: boolean };

export function parseMetricsSettings(): MetricsRunSettings {
  const command = new Command('metricsBench')
    .description('what --metrics-listen costs: the same agent with and without it, side by side')
    .option(
      '--iterations <n>',
      'phase 1: counted calls of each method on each agent',
      integerIn(1, 100_000),
      2000,
    )
    .option('--warmup <n>', 'phase 1: uncounted calls of each first', integerIn(0, 10_000), 200)
    .option('--concurrency <n>', 'phase 1: calls in flight for the throughput', integerIn(1, 256), 16)
    .option('--rounds <n>', 'phase 1: throughput rounds (each agent once a round)', integerIn(1, 100), 10)
    .option('--round-calls <n>', 'phase 1: calls per agent per round', integerIn(1, 100_000), 1000)
    .option('--attaches <n>', 'phase 2: counted attaches (and detaches) per agent', integerIn(1, 1000), 100)
    .option('--attach-warmup <n>', 'phase 2: uncounted attaches first', integerIn(0, 100), 5)
    .option('--scrapes <n>', 'phase 3: timed scrapes, without and with the endpoints', integerIn(1, 1000), 50)
    .option(
      '--endpoints <n>',
      'phase 3: endpoints on the metrics agent, one netns each',
      integerIn(1, 1020),
      1000,
    )
    .option('--networks <n>', 'phase 3: networks they spread over', integerIn(1, 60), 10)
    .option('--burst-rounds <n>', 'phase 3: rounds of a quiet and a scraped window', integerIn(1, 100), 5)
    .option('--burst-calls <n>', 'phase 3: calls one at a time per window', integerIn(1, 100_000), 1000)
    .option(
      '--scrape-interval-ms <ms>',
      'phase 3: a scrape this often in a scraped window',
      integerIn(10, 10_000),
      100,
    );
  const o = addBenchOptions(command).parse().opts();
  return {
    unary: {
      iterations: o.iterations,
      warmup: o.warmup,
      concurrency: o.concurrency,
      rounds: o.rounds,
      callsPerRound: o.roundCalls,
    },
    attach: { attaches: o.attaches, warmup: o.attachWarmup },
    scrape: {
      scrapes: o.scrapes,
      endpoints: o.endpoints,
      networks: Math.min(o.networks, o.endpoints),
      burstRounds: o.burstRounds,
      burstCalls: o.burstCalls,
      scrapeIntervalMs: o.scrapeIntervalMs,
    },
    agentLogLevel: o.agentLogLevel,
    agentLog: o.agentLog,
    write: o.write,
  };
}
