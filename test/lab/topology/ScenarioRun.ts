import { ip } from '../ipLinks';
import type { ScenarioContext } from '../scenarios/Scenario';
import type { LabSession } from './LabSession';
import { hostNames, hostNetns } from './topology';

/** A container's namespace name: the test prefix, then the scenario's name for it. */
function containerNetns(name: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || name.startsWith('lab-'))
    throw new Error(`container name ${JSON.stringify(name)}: use a-z, 0-9 and -, not starting with lab-`);
  return `mvt-${name}`;
}

/**
 * One phase of one scenario on a session: the context it gets, the step it is at, and what must be
 * undone when it ends (its cleanups, and in its last phase its containers).
 */
export class ScenarioRun {
  readonly context: ScenarioContext;
  lastStep = '(before the first step)';
  private readonly cleanups: (() => Promise<void> | void)[] = [];

  constructor(session: LabSession, phase: string, final: boolean) {
    const { topology, agents, orchestrator, log } = session;
    this.context = {
      topology,
      hosts: hostNames(topology),
      agents,
      orchestrator,
      phase,
      step: (text) => {
        this.lastStep = text;
        log.step(text);
      },
      hostNetns: (host) => hostNetns(topology, host),
      container: (name) => {
        const netns = containerNetns(name);
        ip('netns', 'add', netns);
        ip('-n', netns, 'link', 'set', 'lo', 'up');
        // Before a reboot the containers stay: the agents must find them gone after it, as they would.
        if (final) this.cleanups.push(() => void ip('netns', 'del', netns));
        return netns;
      },
      defer: (cleanup) => this.cleanups.push(cleanup),
    };
  }

  /** Runs the cleanups, latest first, each whatever the others did; returns those that failed. */
  async cleanUp(): Promise<string[]> {
    const failed: string[] = [];
    for (const cleanup of this.cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (err) {
        failed.push(`a cleanup failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return failed;
  }
}
