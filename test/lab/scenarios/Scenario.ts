import type { HostAgents } from '../topology/hostAgents';
import type { Orchestrator } from '../topology/orchestrator';
import type { TopologySpec } from '../topology/topology';

/**
 * One scenario of the multi-host lab: a story told through the orchestrator (SDK and CLI), checked
 * on the lab's kernel. It runs on threeHosts() with every agent serving, and leaves the hosts as it
 * found them: its containers go by themselves (ctx.container), its networks it deletes itself, and
 * the session fails it if any remain.
 */
export interface Scenario {
  /** Lower-case, dashes: what `npm run lab -- <name>` takes. */
  name: string;
  /** One sentence: what it proves. */
  summary: string;
  /**
   * Boots of the lab it needs, in order, on one state dir (a host reboot between them); `run` is called
   * once per boot with ctx.phase set. Default: one boot, phase "main". Only the last phase is held to
   * leave the hosts clean; the ones before leave what the next boot should find.
   */
  phases?: string[];
  run(ctx: ScenarioContext): Promise<void>;
}

/** What a scenario works with. */
export interface ScenarioContext {
  readonly topology: TopologySpec;
  /** The hosts' names: h1, h2, h3. */
  readonly hosts: string[];
  /** Each host's agent: stop, kill9, start again (with fault injection in its environment). */
  readonly agents: HostAgents;
  /** The SDK client and the CLI of each host's agent, every call logged. */
  readonly orchestrator: Orchestrator;
  /** "main", or the phase of `phases` this boot is. */
  readonly phase: string;
  /** Logs the next step, a sentence (steps.log, stdout, orchestrator.log). */
  step(text: string): void;
  /** The host's network namespace, where its NICs and its agent's links are. */
  hostNetns(host: string): string;
  /**
   * A container: a new network namespace `mvt-<name>` with lo up, deleted when the scenario ends (in
   * its last phase). Returns the namespace's name.
   */
  container(name: string): string;
  /** Runs `cleanup` when the scenario ends, passed or failed; the latest registered runs first. */
  defer(cleanup: () => Promise<void> | void): void;
}
