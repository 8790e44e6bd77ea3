/**
 * The multi-host lab (runs inside user-mode Linux): threeHosts() built once, one agent per host in
 * its namespace, reached over the management network; then every single-boot scenario of
 * scenarios/, one test each, in order, each leaving the hosts clean for the next. Logs (steps.log,
 * orchestrator.log, agent-<host>.log) go to the state dir, .lab-state/jest/multihost/.
 */
import { SCENARIOS } from './scenarios';
import { LabSession } from './topology/LabSession';
import { threeHosts } from './topology/threeHosts';
import { verifyTopology } from './topology/verifyTopology';

const STATE = process.env.MVNET_LAB_STATE!;

describe('three hosts on a VLAN-filtering switch, one agent each, driven through the SDK and the CLI', () => {
  let session: LabSession | undefined;

  beforeAll(async () => {
    session = await LabSession.start({ topology: threeHosts(), stateRoot: STATE, logDir: STATE });
  }, 120_000);

  afterAll(async () => {
    await session?.close();
  }, 60_000);

  it('wires the switch ports, bonds and management addresses as declared', () => {
    expect(verifyTopology(session!.topology)).toEqual([]);
  });

  for (const scenario of SCENARIOS.filter((s) => (s.phases ?? ['main']).length === 1))
    it(`${scenario.name}: ${scenario.summary}`, async () => {
      await session!.runScenario(scenario);
    }, 150_000);
});
