#!/usr/bin/env node
/**
 * `npm run bench:metrics`: what `--metrics-listen` costs. Two agents, the same but for the flag, each
 * on a throwaway host of its own, measured side by side in one run, the one going first alternating:
 * unary calls one at a time and at concurrency (phase 1), each agent's memory before and after them;
 * attaches and detaches into fresh namespaces (phase 2); then scrapes of the metrics agent, empty and with
 * 1,000 endpoints, and its calls' tail under a scrape every 100 ms (phase 3). Prints the tables and
 * writes the metrics section of BENCHMARKS.md. Needs root; bounded (a watchdog ends it); leaves
 * nothing behind, also on Ctrl-C.
 */
import { readProcess, type ProcessReading } from '../memory/processMemory';
import { makeSwitchedHost } from '../shared/benchNamespaces';
import { formatText } from '../shared/formatTable';
import { readLoadAverage, readMachineFacts } from '../shared/machineFacts';
import { runBenchmark, type BenchmarkRun } from '../shared/runBenchmark';
import { writeBenchmarksMd } from '../shared/writeBenchmarksMd';
import { measureAttach } from './attachPhase';
import { formatMetricsSection } from './formatMetricsSection';
import { computeMetricsFigures } from './metricsFigures';
import { HOSTS, METRICS_NETNS_PREFIX, SIDES, type Side } from './metricsLayout';
import { parseMetricsSettings } from './metricsSettings';
import {
  callTable,
  floorLines,
  memoryTable,
  scrapeTable,
  stallTable,
  throughputTable,
} from './metricsTables';
import { verdictLines } from './metricsTargets';
import { openMetricsAgents, type MetricsAgents } from './openMetricsAgents';
import { measurePromClientFloor } from './promClientFloor';
import { measureScrape } from './scrapePhase';
import { measureUnary } from './unaryPhase';

/** Past this the run is stuck, not slow: it cleans up and fails. */
const WATCHDOG_MS = 5 * 60_000;

function readAgents(agents: MetricsAgents): Record<Side, ProcessReading> {
  const read = (side: Side) => {
    const reading = readProcess(agents[side].agent.pid, false);
    if (!reading) throw new Error(`the ${side} agent has ended`);
    return reading;
  };
  return { on: read('on'), off: read('off') };
}

async function main(run: BenchmarkRun): Promise<void> {
  const { say } = run;
  const settings = parseMetricsSettings();
  const started = process.hrtime.bigint();
  const machine = await readMachineFacts();
  await run.claimMachine();
  for (const side of SIDES) await makeSwitchedHost(HOSTS[side]);
  const agents = await openMetricsAgents(run, settings);
  const rssAtStart = readAgents(agents);
  const u = settings.unary;
  say(
    `phase 1: ${u.warmup} + ${u.iterations} calls of each method per agent, then ${u.rounds} rounds at ${u.concurrency} in flight...`,
  );
  const unary = await measureUnary(agents, u);
  const rss = readAgents(agents);
  say(`phase 2: ${settings.attach.warmup} + ${settings.attach.attaches} attaches and detaches per agent...`);
  const attach = await measureAttach(agents, settings.attach);
  say(
    `phase 3: ${settings.scrape.scrapes} scrapes without endpoints and with ${settings.scrape.endpoints}...`,
  );
  const scrape = await measureScrape(agents, settings.scrape, say);
  machine.loadAfter = readLoadAverage();
  await run.cleanUp();
  say("prom-client's own work per call, alone...");
  const promClientUs = measurePromClientFloor();
  const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
  const figures = computeMetricsFigures({
    ...{ machine, settings, elapsedS, unary, attach },
    ...{ rssAtStart, rss, promClientUs, scrape },
  });
  for (const table of [callTable, throughputTable, memoryTable, scrapeTable, stallTable])
    say(`\n${formatText(table(figures))}`);
  say('');
  for (const line of floorLines(figures)) say(line);
  for (const line of verdictLines(figures)) say(line);
  say(`load average before ${machine.loadBefore}, after ${machine.loadAfter}`);
  if (settings.write)
    say(`wrote the metrics section of ${writeBenchmarksMd('metrics', formatMetricsSection(figures))}`);
}

runBenchmark({ netnsPrefix: METRICS_NETNS_PREFIX, watchdogMs: WATCHDOG_MS, main });
