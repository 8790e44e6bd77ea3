#!/usr/bin/env node
/**
 * `npm run bench:soak`: one agent under a long load, watchers connecting and leaving, networks and
 * endpoints made and deleted, links deleted behind its back, while its memory, descriptors and child
 * processes are read; then whether each stayed flat. Writes bench/soak/soak.svg and its section of
 * BENCHMARKS.md. Needs root; bounded (a watchdog ends it); leaves nothing behind, also on Ctrl-C.
 */
import fs from 'node:fs';
import path from 'node:path';
import { findRepoRoot } from '../../tools/findRepoRoot';
import { openAgentClient } from '../memory/agentClient';
import { Watchers } from '../memory/Watchers';
import { addNamespaces, makeSwitchedHost } from '../shared/benchNamespaces';
import { BenchAgent } from '../shared/BenchAgent';
import { readLoadAverage, readMachineFacts } from '../shared/machineFacts';
import { runBenchmark, type BenchmarkRun } from '../shared/runBenchmark';
import { writeBenchmarksMd } from '../shared/writeBenchmarksMd';
import { DriftMonitor } from './DriftMonitor';
import { formatSoakSection, SOAK_SVG } from './formatSoakSection';
import { openPool, runChurn, type ChurnCounts } from './soakChurn';
import { runCycles, type CycleCounts } from './soakCycles';
import { computeTrends, soakTargetLines, type SoakFigures } from './soakFigures';
import { SOAK_HOST, SOAK_NETNS_PREFIX, soakContainer } from './soakLayout';
import { SoakSampler } from './SoakSampler';
import { parseSoakSettings, type SoakSettings } from './soakSettings';
import { soakSvg } from './soakSvg';

/** pino's level for warn: the agent's warnings and errors are counted. */
const WARN = 40;

/** Past the load's minutes and this, the run is stuck, not slow: it cleans up and fails. */
const WATCHDOG_EXTRA_MS = 5 * 60_000;

async function main(run: BenchmarkRun, { agentLog, write, ...settings }: SoakSettings): Promise<void> {
  const { say } = run;
  const machine = await readMachineFacts();
  await run.claimMachine();
  await makeSwitchedHost(SOAK_HOST);
  await addNamespaces(Array.from({ length: settings.cycles.endpoints }, (_, i) => soakContainer(i)));
  const logged: Record<string, number> = {};
  const agent = await BenchAgent.start({
    hostNetns: SOAK_HOST.host,
    logLevel: settings.agentLogLevel,
    logFile: agentLog,
    onEntry: (e) => {
      if (Number(e.level) >= WARN) logged[String(e.msg)] = (logged[String(e.msg)] ?? 0) + 1;
    },
  });
  run.defer('stop the agent', async () => void (await agent.close()));
  const client = openAgentClient(agent.address);
  run.defer('close the client', async () => client.close());
  const monitor = new DriftMonitor(client, 0);
  run.defer('close the drift monitor', async () => monitor.close());
  const watchers = Watchers.start({ address: agent.address, perChannel: settings.perChannel });
  run.defer('stop the watchers', () => watchers.stop());
  const churn: ChurnCounts = { opened: 0, closed: 0, stalled: 0, open: 0 };
  const cycles: CycleCounts = { cycles: 0, networks: 0, attached: 0, drifted: 0, deleted: 0, revision: 0 };
  await openPool(settings.churn, watchers, churn);
  say(`soak: ${settings.minutes} min of load; the agent read every ${settings.sampleMs / 1000} s`);
  const started = performance.now();
  const sampler = new SoakSampler(agent.pid, settings.sampleMs, () => ({
    watchers: churn.open,
    cycles: cycles.cycles,
  }));
  const progress = setInterval(() => {
    const last = sampler.samples.at(-1);
    if (last)
      say(
        `  ${(last.t / 60).toFixed(1)} min: RSS ${last.rssMiB.toFixed(1)} MiB, ${last.fds} fds, ${last.children} children; ${cycles.cycles} cycles, ${churn.open} watchers`,
      );
  }, 60_000);
  const until = () => performance.now() - started >= settings.minutes * 60_000 || sampler.agentGone;
  try {
    await Promise.all([
      runCycles(settings.cycles, client, monitor, cycles, until),
      runChurn(settings.churn, watchers, () => cycles.revision, churn, until),
    ]);
  } finally {
    clearInterval(progress);
  }
  const samples = sampler.stop();
  if (sampler.agentGone) throw new Error('the agent ended during the soak');
  machine.loadAfter = readLoadAverage();
  const ended = Object.fromEntries(watchers.ended);
  await run.cleanUp();
  const figures: SoakFigures = {
    date: new Date().toISOString(),
    elapsedS: (performance.now() - started) / 1000,
    machine,
    settings,
    samples,
    trends: computeTrends(samples),
    cycles,
    churn,
    ended,
    agentLog: logged,
  };
  for (const line of soakTargetLines(figures)) say(line);
  say(`load average before ${machine.loadBefore}, after ${machine.loadAfter}`);
  if (!write) return;
  const caption = `mvnet-agent under ${settings.minutes} min of soak (${figures.date.slice(0, 16)}Z): watchers churning, mutations, drift`;
  fs.writeFileSync(path.join(findRepoRoot(), SOAK_SVG), soakSvg(samples, figures.trends, caption));
  say(`wrote ${SOAK_SVG} and the soak section of ${writeBenchmarksMd('soak', formatSoakSection(figures))}`);
}

const soakSettings = parseSoakSettings();
runBenchmark({
  netnsPrefix: SOAK_NETNS_PREFIX,
  watchdogMs: soakSettings.minutes * 60_000 + WATCHDOG_EXTRA_MS,
  main: (run) => main(run, soakSettings),
});
