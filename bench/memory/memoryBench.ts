#!/usr/bin/env node
/**
 * `npm run bench:memory`: the agent's memory. Part 1, idle: the agent on a fresh state (as started,
 * and after one GetHost call) against its peer, an empty @grpc/grpc-js server, and bare `node` for
 * scale, side by side in rounds. Part 2, at scale: one agent with 1,000 endpoints and 1,000 watchers.
 * Resident memory, descriptors and child processes are read from /proc. Prints tables and writes its
 * section of BENCHMARKS.md. Needs root; bounded (a watchdog ends it); leaves nothing behind, also on
 * Ctrl-C.
 */
import { formatText } from '../shared/formatTable';
import { makeSwitchedHost } from '../shared/benchNamespaces';
import { readLoadAverage, readMachineFacts } from '../shared/machineFacts';
import { runBenchmark, type BenchmarkRun } from '../shared/runBenchmark';
import { writeBenchmarksMd } from '../shared/writeBenchmarksMd';
import { formatMemorySection } from './formatMemorySection';
import { measureIdle } from './idlePhase';
import { computeIdleFigures, memoryTargets, type MemoryFigures } from './memoryFigures';
import { MEMORY_HOST, MEMORY_NETNS_PREFIX } from './memoryLayout';
import { parseMemorySettings } from './memorySettings';
import { idleTable, scaleTable } from './memoryTables';
import { measureScale } from './scalePhase';

/** Past this the run is stuck, not slow: it cleans up and fails. */
const WATCHDOG_MS = 12 * 60_000;

async function main(run: BenchmarkRun): Promise<void> {
  const { say } = run;
  const settings = parseMemorySettings();
  const started = performance.now();
  const machine = await readMachineFacts();
  await run.claimMachine();
  await makeSwitchedHost(MEMORY_HOST);
  const figures: MemoryFigures = {
    date: new Date().toISOString(),
    elapsedS: 0,
    machine,
    agentLogLevel: settings.agentLogLevel,
  };
  if (settings.only !== 'scale') {
    const s = settings.idle;
    say(`part 1: idle, ${s.rounds} rounds of every side, each read for ${s.settleMs / 1000} s`);
    const runs = await measureIdle(s, MEMORY_HOST.host, settings.agentLogLevel, say);
    figures.idleSettings = s;
    figures.idle = computeIdleFigures(runs);
  }
  if (settings.only !== 'idle') {
    say('part 2: at scale');
    figures.scaleSettings = settings.scale;
    figures.scale = await measureScale(run, settings.scale, settings.agentLogLevel, settings.agentLog);
  }
  machine.loadAfter = readLoadAverage();
  await run.cleanUp();
  figures.elapsedS = (performance.now() - started) / 1000;
  if (figures.idle) say(`\n${formatText(idleTable(figures))}`);
  if (figures.scale) say(`\n${formatText(scaleTable(figures))}`);
  say('');
  for (const line of memoryTargets(figures)) say(line.text);
  say(`load average before ${machine.loadBefore}, after ${machine.loadAfter}`);
  if (settings.write)
    say(`wrote the memory section of ${writeBenchmarksMd('memory', formatMemorySection(figures))}`);
}

runBenchmark({ netnsPrefix: MEMORY_NETNS_PREFIX, watchdogMs: WATCHDOG_MS, main });
