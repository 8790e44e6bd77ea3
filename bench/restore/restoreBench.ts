#!/usr/bin/env node
/**
 * `npm run bench:restore`: how long the agent takes to come back with a full host (100 networks with
 * host-access shims, 1,000 endpoints in 200 containers by default), after a restart and after a
 * reboot, side by side with its peers in one run: the same agent starting on an empty state, and the
 * `ip -batch` floor making the same host links. Prints the tables and writes the restore section of
 * BENCHMARKS.md. Needs root; bounded (a watchdog ends it); leaves nothing behind, also on Ctrl-C.
 */
import { Command } from 'commander';
import fs from 'node:fs';
import { addBenchOptions } from '../shared/addBenchOptions';
import { integerIn } from '../shared/integerIn';
import { readLoadAverage, readMachineFacts } from '../shared/machineFacts';
import { runBenchmark, type BenchmarkRun } from '../shared/runBenchmark';
import { writeBenchmarksMd } from '../shared/writeBenchmarksMd';
import { formatText } from '../shared/formatTable';
import { computeRestoreFigures, type RestoreFigures, type RestoreSettings } from './restoreFigures';
import { RESTORE_NETNS_PREFIX } from './restoreLayout';
import { runRounds } from './restoreRounds';
import { RestoreSession } from './RestoreSession';
import { formatRestoreSection } from './formatRestoreSection';
import { profileRestore, type ProfiledRestore } from './profileRestore';
import { makeStateDir } from './RestoreAgent';
import { hottestTable, profileTable } from './restoreProfileTables';
import { phaseTable, sidesTable, verdictLines } from './restoreTables';

/** Past this the run is stuck, not slow: it cleans up and fails. */
const WATCHDOG_MS = 10 * 60_000;

function parseSettings(): RestoreSettings {
  const command = new Command('restoreBench')
    .description("the agent's restart and reboot with 100 networks and 1,000 endpoints, against its peers")
    .option('--networks <n>', 'networks, each with a host-access shim', integerIn(1, 128), 100)
    .option(
      '--endpoints <n>',
      'endpoints, spread over the networks and the containers',
      integerIn(1, 1024),
      1000,
    )
    .option('--containers <n>', 'container namespaces (endpoints / containers each)', integerIn(1, 1024), 200)
    .option('--rounds <n>', 'rounds of the four sides', integerIn(1, 10), 5)
    .option('--no-profile', 'skip the profiled restart and reboot after the rounds');
  return addBenchOptions(command).parse().opts();
}

/** The tables and verdicts on the console, and the section into BENCHMARKS.md. */
function report(run: BenchmarkRun, figures: RestoreFigures): void {
  run.say(`\n${formatText(sidesTable(figures))}\n\n${formatText(phaseTable(figures))}\n`);
  const { profile } = figures;
  if (profile) {
    const tables = [profileTable(profile), hottestTable(profile, 'restart'), hottestTable(profile, 'reboot')];
    run.say(`${tables.map(formatText).join('\n\n')}\n`);
  }
  for (const line of verdictLines(figures)) run.say(line);
  if (figures.settings.write)
    run.say(`wrote the restore section of ${writeBenchmarksMd('restore', formatRestoreSection(figures))}`);
}

async function main(run: BenchmarkRun): Promise<void> {
  const settings = parseSettings();
  await run.claimMachine();
  const machine = await readMachineFacts();
  const started = process.hrtime.bigint();
  const { networks, endpoints, containers } = settings;
  run.say(`building the host: ${networks} networks, ${endpoints} endpoints in ${containers} containers...`);
  const session = await RestoreSession.open({
    scale: { networks, endpoints, containers },
    logLevel: settings.agentLogLevel,
    logFile: settings.agentLog,
  });
  run.defer('stop the agent', () => session.close());
  const setup = await session.setup();
  run.say(`setup: one Apply of the whole host in ${setup.ms.toFixed(0)} ms`);
  run.say(`${settings.rounds} rounds: restart, empty start, reboot, ip -batch floor...`);
  const rounds = await runRounds(session, settings.rounds, run.say);
  machine.loadAfter = readLoadAverage();
  let profile: ProfiledRestore | undefined;
  if (settings.profile) {
    run.say('one more restart and reboot, under node --cpu-prof...');
    const dir = makeStateDir();
    run.defer('remove the profiles', async () => fs.rmSync(dir, { recursive: true, force: true }));
    profile = await profileRestore(session, dir);
  }
  await run.cleanUp();
  const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
  const layout = session.layout;
  report(run, computeRestoreFigures({ machine, settings, elapsedS, setup, rounds, layout, profile }));
}

runBenchmark({ netnsPrefix: RESTORE_NETNS_PREFIX, watchdogMs: WATCHDOG_MS, main });
