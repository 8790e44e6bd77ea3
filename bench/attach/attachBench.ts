#!/usr/bin/env node
/**
 * `npm run bench`: what attaching a container costs with mvnet, side by side with Debian's CNI macvlan
 * plugin and with plain `ip`, in one run, on throwaway namespaces (`mvb-*`): one attach at a time, then
 * a batch of endpoints with the same parallelism on both sides; then (part 3, bench/apply/) a whole
 * batch in one Apply, against CNI and the `ip -batch` floor. Prints the tables and writes the attach
 * and apply sections of BENCHMARKS.md. Needs root; bounded (a watchdog ends it); leaves nothing behind,
 * also on Ctrl-C.
 */
import { Command, Option } from 'commander';
import fs from 'node:fs';
import { formatText } from '../shared/formatTable';
import { addBenchOptions } from '../shared/addBenchOptions';
import { integerIn } from '../shared/integerIn';
import { readLoadAverage, readMachineFacts, type MachineFacts } from '../shared/machineFacts';
import { makeSwitchedHost } from '../shared/benchNamespaces';
import { runBenchmark, type BenchmarkRun } from '../shared/runBenchmark';
import { writeBenchmarksMd } from '../shared/writeBenchmarksMd';
import { AttachSettings, computeAttachFigures } from './attachFigures';
import { BENCH_HOST, BENCH_NETNS_PREFIX } from './attachmentPlan';
import { bulkAttachTable, cpuLine, oneAttachTable, verdictLines } from './attachTables';
import { measureBulkAttach } from './bulkAttachPhase';
import { CNI_MACVLAN } from './cniMacvlan';
import { formatAttachSection } from './formatAttachSection';
import { MvnetSide } from './mvnetSide';
import { measureOneAttach } from './oneAttachPhase';
import { runApplyPart, type ApplyPartResult } from '../apply/applyPart';
import { reportApplyPart } from '../apply/reportApplyPart';

/** Past this the run is stuck, not slow: it cleans up and fails. */
const WATCHDOG_MS = 12 * 60_000;

type Settings = AttachSettings & {
  rounds: number;
  only?: 'attach' | 'apply';
  agentLog?: string;
  write: boolean;
};

function parseSettings(): Settings {
  const command = new Command('attachBench')
    .description('mvnet endpoint attach against the CNI macvlan plugin and plain ip')
    .option('--iterations <n>', 'part 1: counted attaches per side', integerIn(1, 200), 30)
    .option('--warmup <n>', 'part 1: uncounted attaches per side first', integerIn(0, 20), 3)
    .option('--endpoints <n>', 'parts 2 and 3: endpoints per run', integerIn(1, 253), 200)
    .option(
      '--parallel <n>',
      'parts 2 and 3: attaches in flight (CNI, ip; mvnet in part 2)',
      integerIn(1, 64),
      8,
    )
    .option('--runs <n>', 'part 2: runs per side', integerIn(1, 20), 5)
    .option('--rounds <n>', 'part 3: rounds of Apply, CNI and ip -batch', integerIn(1, 20), 5)
    .addOption(
      new Option('--only <part>', 'run only this part: attach (1, 2) or apply (3)').choices([
        'attach',
        'apply',
      ]),
    );
  return addBenchOptions(command).parse().opts();
}

/** Parts 1 and 2, on an agent of their own, stopped at the end; their raw timings. */
async function runAttachParts(run: BenchmarkRun, settings: Settings) {
  const started = process.hrtime.bigint();
  const mvnet = await MvnetSide.open({
    agentLogLevel: settings.agentLogLevel,
    agentLogFile: settings.agentLog,
  });
  run.defer('stop the agent', () => mvnet.close());
  run.say(`part 1: one attach, ${settings.warmup} + ${settings.iterations} iterations per side...`);
  const one = await measureOneAttach(mvnet, settings.iterations, settings.warmup);
  const { endpoints, parallel, runs } = settings;
  run.say(`part 2: ${endpoints} endpoints, ${parallel} in flight, ${runs} runs per side...`);
  const bulk = await measureBulkAttach(mvnet, settings);
  await mvnet.close();
  return { one, bulk, elapsedS: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** Parts 1 and 2's tables and verdicts, printed and written into BENCHMARKS.md. */
function reportAttachParts(
  run: BenchmarkRun,
  settings: Settings,
  machine: MachineFacts,
  { one, bulk, elapsedS }: Awaited<ReturnType<typeof runAttachParts>>,
): void {
  const { say } = run;
  const figures = computeAttachFigures({ machine, settings, elapsedS, one, bulk });
  say(`\n${formatText(oneAttachTable(figures))}\n\n${formatText(bulkAttachTable(figures))}\n`);
  say(`runs: ${bulk.order.join('; ')}`);
  say(cpuLine(figures));
  for (const line of verdictLines(figures)) say(line);
  if (settings.write)
    say(`wrote the attach section of ${writeBenchmarksMd('attach', formatAttachSection(figures))}`);
}

async function main(run: BenchmarkRun): Promise<void> {
  const settings = parseSettings();
  if (!fs.existsSync(CNI_MACVLAN)) {
    throw new Error(`${CNI_MACVLAN} is missing: apt-get install containernetworking-plugins`);
  }
  await run.claimMachine();
  const machine = await readMachineFacts();
  await makeSwitchedHost(BENCH_HOST);
  const attach = settings.only === 'apply' ? undefined : await runAttachParts(run, settings);
  let apply: ApplyPartResult | undefined;
  if (settings.only !== 'attach') apply = await runApplyPart(run, settings);
  machine.loadAfter = readLoadAverage();
  await run.cleanUp();
  if (attach) reportAttachParts(run, settings, machine, attach);
  if (apply) reportApplyPart(run, { ...settings, machine, result: apply });
}

runBenchmark({ netnsPrefix: BENCH_NETNS_PREFIX, watchdogMs: WATCHDOG_MS, main });
