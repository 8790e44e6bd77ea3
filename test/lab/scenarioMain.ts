/**
 * Inside a lab instance: one scenario (one phase of it) on the three-host topology, its steps printed
 * as they happen. runScenario.ts starts it (`npm run lab -- SCENARIO`):
 *
 *   node dist/test/lab/scenarioMain.js SCENARIO      (MVNET_LAB_PHASE: the phase, "main" by default)
 *
 * Logs and the agents' state dirs go to MVNET_LAB_STATE. Exit status 0 when the scenario passed, 1
 * when it (or the lab's setup) failed, 2 for an unknown scenario.
 */
import './assertInsideLab';
import { findScenario } from './scenarios';
import { LabSession } from './topology/LabSession';
import { threeHosts } from './topology/threeHosts';

async function main(): Promise<number> {
  const scenario = findScenario(process.argv[2] ?? '');
  if (!scenario) {
    process.stderr.write(`scenarioMain: unknown scenario ${JSON.stringify(process.argv[2])}\n`);
    return 2;
  }
  const state = process.env.MVNET_LAB_STATE!;
  let session: LabSession | undefined;
  try {
    session = await LabSession.start({ topology: threeHosts(), stateRoot: state, logDir: state, echo: true });
    await session.runScenario(scenario, process.env.MVNET_LAB_PHASE ?? 'main');
    return 0;
  } catch (err) {
    process.stdout.write(`\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  } finally {
    await session?.close();
  }
}

// Exits explicitly: a handle left open (a client's reconnect timer) must not keep the lab up.
void main().then((code) => process.exit(code));
