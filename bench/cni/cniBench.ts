#!/usr/bin/env node
/**
 * `npm run bench:cni`: one ADD through mvnet-cni against one ADD of Debian's CNI macvlan plugin, both
 * executed as a runtime executes them, interleaved in one run on the same throwaway host; with the
 * breakdown issue 16's budget needs (an empty `node` start of the same shebang, the agent's
 * CreateEndpoint alone). Prints the table and writes the cni section of BENCHMARKS.md. Needs root;
 * bounded (a watchdog ends it); leaves nothing behind, also on Ctrl-C.
 */
import { Command } from 'commander';
import fs from 'node:fs';
import { BENCH_HOST, BENCH_NETNS_PREFIX } from '../attach/attachmentPlan';
import { CNI_MACVLAN } from '../attach/cniMacvlan';
import { addBenchOptions } from '../shared/addBenchOptions';
import { makeSwitchedHost } from '../shared/benchNamespaces';
import { formatText } from '../shared/formatTable';
import { integerIn } from '../shared/integerIn';
import { readLoadAverage, readMachineFacts } from '../shared/machineFacts';
import { runBenchmark, type BenchmarkRun } from '../shared/runBenchmark';
import { runChecked } from '../shared/runProcess';
import { writeBenchmarksMd } from '../shared/writeBenchmarksMd';
import { measureCniAdd } from './cniAddPhase';
import { CniAgent } from './cniAgent';
import { computeCniFigures, type CniSettings } from './cniFigures';
import { breakdownLines, cniAddTable, verdictLines } from './cniTables';
import { formatCniSection } from './formatCniSection';
import { makePluginDir } from './pluginDir';

/** Past this the run is stuck, not slow: it cleans up and fails. */
const WATCHDOG_MS = 5 * 60_000;

type Settings = CniSettings & { agentLog?: string; write: boolean };

function parseSettings(): Settings {
  const command = new Command('cniBench')
    .description('one ADD through mvnet-cni against one ADD of the CNI macvlan plugin')
    .option('--iterations <n>', 'counted iterations (one call per side each)', integerIn(1, 200), 30)
    .option('--warmup <n>', 'uncounted iterations first', integerIn(0, 20), 3);
  return addBenchOptions(command).parse().opts();
}

/** `/usr/bin/node v20...`: what the plugins' `#!/usr/bin/env node` runs. */
async function shebangNode(): Promise<string> {
  const out = await runChecked(['/usr/bin/env', 'node', '-p', 'process.execPath + " " + process.version']);
  return out.trim();
}

async function main(run: BenchmarkRun): Promise<void> {
  const settings = parseSettings();
  if (!fs.existsSync(CNI_MACVLAN))
    throw new Error(`${CNI_MACVLAN} is missing: apt-get install containernetworking-plugins`);
  await run.claimMachine();
  const started = process.hrtime.bigint();
  const machine = await readMachineFacts();
  const node = await shebangNode();
  const plugins = makePluginDir();
  run.defer('remove the plugin dir', async () => plugins.remove());
  await makeSwitchedHost(BENCH_HOST);
  const agent = await CniAgent.open({
    agentLogLevel: settings.agentLogLevel,
    agentLogFile: settings.agentLog,
  });
  run.defer('stop the agent', () => agent.close());
  run.say(`one ADD per side, ${settings.warmup} + ${settings.iterations} iterations...`);
  const result = await measureCniAdd(agent, plugins, settings);
  machine.loadAfter = readLoadAverage();
  await run.cleanUp();
  const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
  const figures = computeCniFigures({ machine, settings, elapsedS, node, result });
  run.say(`\n${formatText(cniAddTable(figures))}\n`);
  for (const line of [...breakdownLines(figures), ...verdictLines(figures)]) run.say(line);
  if (settings.write)
    run.say(`wrote the cni section of ${writeBenchmarksMd('cni', formatCniSection(figures))}`);
}

runBenchmark({ netnsPrefix: BENCH_NETNS_PREFIX, watchdogMs: WATCHDOG_MS, main });
