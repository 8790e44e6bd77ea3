#!/usr/bin/env node
/**
 * `npm run bench`: what attaching a container costs with mvnet, side by side with Debian's CNI macvlan
 * plugin and with plain `ip`, in one run, on throwaway namespaces (`mvb-*`): one attach at a time, then
 * a batch of endpoints with the same parallelism on both sides. Prints a table and overwrites
 * BENCHMARKS.md. Needs root; bounded (a watchdog ends it); leaves nothing behind, also on Ctrl-C.
 */
import { runBenchmark } from './runBenchmark';
import { Command, InvalidArgumentError } from 'commander';
import fs from 'node:fs';
import { HOST_NETNS } from './attachmentPlan';
import { claimBenchLock, releaseBenchLock } from './benchLock';
import { BenchSettings, computeFigures } from './benchFigures';
import { makeBenchHost, removeBenchNamespaces } from './benchNamespaces';
import { measureBulkAttach } from './bulkAttachPhase';
import { CNI_MACVLAN } from './cniMacvlan';
import { bulkAttachTable, cpuLine, formatText, oneAttachTable, verdictLines } from './figureTables';
import { readLoadAverage, readMachineFacts } from './machineFacts';
import { MvnetSide } from './mvnetSide';
import { measureOneAttach } from './oneAttachPhase';
import { writeBenchmarksMd } from './writeBenchmarksMd';

/** Past this the run is stuck, not slow: it cleans up and fails. */
const WATCHDOG_MS = 8 * 60_000;

let mvnet: MvnetSide | undefined;
/** Until the lock is this run's, the `mvb-*` namespaces may be another run's: nothing to clean up. */
let lockHeld = false;
let cleaning: Promise<void> | undefined;
/** Set by a signal: the failures that cleaning up causes in the running phase are not news. */

const say = (text: string) => process.stdout.write(`${text}\n`);

function count(min: number, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${min}..${max}`);
    return n;
  };
}

function parseSettings(): BenchSettings & { agentLog?: string; write: boolean } {
  return new Command('attachBench')
    .description('mvnet endpoint attach against the CNI macvlan plugin and plain ip')
    .option('--iterations <n>', 'part 1: counted attaches per side', count(1, 200), 30)
    .option('--warmup <n>', 'part 1: uncounted attaches per side first', count(0, 20), 3)
    .option('--endpoints <n>', 'part 2: endpoints per run', count(1, 253), 200)
    .option('--parallel <n>', 'part 2: attaches in flight, both sides', count(1, 64), 8)
    .option('--runs <n>', 'part 2: runs per side', count(1, 20), 5)
    .option('--agent-log-level <level>', "the agent's log level", 'info')
    .option('--agent-log <file>', "copy the agent's log lines to this file")
    .option('--no-write', 'print only; leave BENCHMARKS.md as it is')
    .parse()
    .opts();
}

/** Stops the agent, removes every `mvb-*` namespace and the lock; once, whoever calls first. */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    if (!lockHeld) return;
    await mvnet?.close().catch((err: Error) => say(`cannot stop the agent: ${err.message}`));
    await removeBenchNamespaces().catch((err: Error) => say(`cannot remove namespaces: ${err.message}`));
    releaseBenchLock();
  })();
  return cleaning;
}

function checkPrerequisites(): void {
  if (process.getuid?.() !== 0) throw new Error('needs root: it creates network namespaces and links');
  if (!fs.existsSync(CNI_MACVLAN)) {
    throw new Error(`${CNI_MACVLAN} is missing: apt-get install containernetworking-plugins`);
  }
}

async function main(): Promise<void> {
  const settings = parseSettings();
  checkPrerequisites();
  const started = process.hrtime.bigint();
  const leftOver = claimBenchLock(HOST_NETNS);
  lockHeld = true;
  const namespaces = await removeBenchNamespaces();
  if (namespaces.length > 0) leftOver.push(`${namespaces.length} namespaces mvb-*`);
  if (leftOver.length > 0) say(`removed what an earlier run left: ${leftOver.join(', ')}`);
  const machine = await readMachineFacts();
  await makeBenchHost();
  mvnet = await MvnetSide.open({ agentLogLevel: settings.agentLogLevel, agentLogFile: settings.agentLog });
  say(`part 1: one attach, ${settings.warmup} + ${settings.iterations} iterations per side...`);
  const one = await measureOneAttach(mvnet, settings.iterations, settings.warmup);
  const { endpoints, parallel, runs } = settings;
  say(`part 2: ${endpoints} endpoints, ${parallel} in flight, ${runs} runs per side...`);
  const bulk = await measureBulkAttach(mvnet, settings);
  machine.loadAfter = readLoadAverage();
  await cleanUp();
  const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
  const figures = computeFigures({ machine, settings, elapsedS, one, bulk });
  say(`\n${formatText(oneAttachTable(figures))}\n\n${formatText(bulkAttachTable(figures))}\n`);
  say(`runs: ${bulk.order.join('; ')}`);
  say(cpuLine(figures));
  for (const line of verdictLines(figures)) say(line);
  if (settings.write) say(`wrote ${writeBenchmarksMd(figures)}`);
}

runBenchmark({ main, cleanUp, say, watchdogMs: WATCHDOG_MS });
