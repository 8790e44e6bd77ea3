#!/usr/bin/env node
/**
 * `npm run bench`: what attaching a container costs with mvnet, side by side with Debian's CNI macvlan
 * plugin and with plain `ip`, in one run, on throwaway namespaces (`mvb-*`): one attach at a time, then
 * a batch of endpoints with the same parallelism on both sides. Prints a table and writes its section
 * of BENCHMARKS.md. Needs root; bounded (a watchdog ends it); leaves nothing behind, also on Ctrl-C.
 */
import { Command } from 'commander';
import fs from 'node:fs';
import { formatText } from '../shared/formatTable';
import { addBenchOptions } from '../shared/addBenchOptions';
import { integerIn } from '../shared/integerIn';
import { readLoadAverage, readMachineFacts } from '../shared/machineFacts';
import { makeSwitchedHost } from '../shared/benchNamespaces';
import { runBenchmark, type BenchmarkRun } from '../shared/runBenchmark';
import { writeBenchmarksMd } from '../shared/writeBenchmarksMd';
import { AttachSettings, computeAttachFigures } from './attachFigures';
import { BENCH_HOST, BENCH_NETNS_PREFIX, HOST_NETNS } from './attachmentPlan';
import { bulkAttachTable, cpuLine, oneAttachTable, verdictLines } from './attachTables';
import { measureBulkAttach } from './bulkAttachPhase';
import { CNI_MACVLAN } from './cniMacvlan';
import { formatAttachSection } from './formatAttachSection';
import { MvnetSide } from './mvnetSide';
import { measureOneAttach } from './oneAttachPhase';

/** Past this the run is stuck, not slow: it cleans up and fails. */
const WATCHDOG_MS = 8 * 60_000;

function parseSettings(): AttachSettings & { agentLog?: string; write: boolean } {
  const command = new Command('attachBench')
    .description('mvnet endpoint attach against the CNI macvlan plugin and plain ip')
    .option('--iterations <n>', 'part 1: counted attaches per side', integerIn(1, 200), 30)
    .option('--warmup <n>', 'part 1: uncounted attaches per side first', integerIn(0, 20), 3)
    .option('--endpoints <n>', 'part 2: endpoints per run', integerIn(1, 253), 200)
    .option('--parallel <n>', 'part 2: attaches in flight, both sides', integerIn(1, 64), 8)
    .option('--runs <n>', 'part 2: runs per side', integerIn(1, 20), 5);
  return addBenchOptions(command).parse().opts();
}

async function main(run: BenchmarkRun): Promise<void> {
  const { say } = run;
  const settings = parseSettings();
  if (!fs.existsSync(CNI_MACVLAN)) {
    throw new Error(`${CNI_MACVLAN} is missing: apt-get install containernetworking-plugins`);
  }
  const started = process.hrtime.bigint();
  await run.claimMachine();
  const machine = await readMachineFacts();
  await makeSwitchedHost(BENCH_HOST);
  const mvnet = await MvnetSide.open({
    agentLogLevel: settings.agentLogLevel,
    agentLogFile: settings.agentLog,
  });
  run.defer('stop the agent', () => mvnet.close());
  say(`part 1: one attach, ${settings.warmup} + ${settings.iterations} iterations per side...`);
  const one = await measureOneAttach(mvnet, settings.iterations, settings.warmup);
  const { endpoints, parallel, runs } = settings;
  say(`part 2: ${endpoints} endpoints, ${parallel} in flight, ${runs} runs per side...`);
  const bulk = await measureBulkAttach(mvnet, settings);
  machine.loadAfter = readLoadAverage();
  await run.cleanUp();
  const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
  const figures = computeAttachFigures({ machine, settings, elapsedS, one, bulk });
  say(`\n${formatText(oneAttachTable(figures))}\n\n${formatText(bulkAttachTable(figures))}\n`);
  say(`runs: ${bulk.order.join('; ')}`);
  say(cpuLine(figures));
  for (const line of verdictLines(figures)) say(line);
  if (settings.write)
    say(`wrote the attach section of ${writeBenchmarksMd('attach', formatAttachSection(figures))}`);
}

runBenchmark({ hostNetns: HOST_NETNS, netnsPrefix: BENCH_NETNS_PREFIX, watchdogMs: WATCHDOG_MS, main });
