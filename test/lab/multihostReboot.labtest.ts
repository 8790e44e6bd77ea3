/**
 * The multi-host lab's scenarios that span a reboot (runs inside user-mode Linux, once per phase, on
 * one state dir): threeHosts() built at each boot as a host's NICs come back, one agent per host on
 * its state dir from the machine's disk; each phased scenario of scenarios/ runs its part of the phase.
 */
import { SCENARIOS } from './scenarios';
import { LabSession } from './topology/LabSession';
import { threeHosts } from './topology/threeHosts';

const STATE = process.env.MVNET_LAB_STATE!;
const PHASES = ['before', 'after'];
const PHASE = process.env.MVNET_LAB_PHASE ?? '';

for (const phase of PHASES) {
  (PHASE === phase ? describe : describe.skip)(`three hosts, ${phase} the reboot`, () => {
    let session: LabSession | undefined;

    beforeAll(async () => {
      session = await LabSession.start({ topology: threeHosts(), stateRoot: STATE, logDir: STATE });
    }, 150_000);

    afterAll(async () => {
      await session?.close();
    }, 60_000);

    for (const scenario of SCENARIOS.filter((s) => s.phases?.includes(phase)))
      it(`${scenario.name}: ${scenario.summary}`, async () => {
        await session!.runScenario(scenario, phase);
      }, 150_000);
  });
}
