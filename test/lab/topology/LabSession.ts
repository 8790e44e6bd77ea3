/**
 * A running multi-host lab: the topology built, one agent serving per host, an orchestrator holding
 * their clients, and the logs. Runs scenarios one after the other on it, each with its cleanups, and
 * makes sure each leaves the hosts clean for the next.
 */
import { ip } from '../ipLinks';
import type { Scenario } from '../scenarios/Scenario';
import { markedLinks } from '../scenarios/netChecks';
import { buildTopology, listNetns, removeTopology } from './buildTopology';
import { HostAgents } from './hostAgents';
import { LabLog } from './LabLog';
import { Orchestrator } from './orchestrator';
import { ScenarioRun } from './ScenarioRun';
import { hostNames, hostNetns, topologyNetns, type TopologySpec } from './topology';

export interface LabSessionOptions {
  topology: TopologySpec;
  /** Where the agents' state dirs go (on the machine's disk: MVNET_LAB_STATE). */
  stateRoot: string;
  /** Where steps.log, orchestrator.log and agent-<host>.log go. */
  logDir: string;
  /** Print each step on stdout too (the scenario runner does; under jest nobody reads it). */
  echo?: boolean;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export class LabSession {
  private constructor(
    readonly topology: TopologySpec,
    readonly log: LabLog,
    readonly agents: HostAgents,
    readonly orchestrator: Orchestrator,
  ) {}

  /** Builds the topology (clearing what a failed run left), starts every agent, waits until all serve. */
  static async start(options: LabSessionOptions): Promise<LabSession> {
    const log = new LabLog(options.logDir, options.echo ?? false);
    const { topology } = options;
    let started = Date.now();
    buildTopology(topology);
    log.note(`topology built in ${seconds(Date.now() - started)}: switch, ${hostNames(topology).join(', ')}`);
    const agents = new HostAgents({ topology, stateRoot: options.stateRoot, log });
    started = Date.now();
    try {
      await agents.startAll();
    } catch (err) {
      await agents.stopAll();
      removeTopology(topology);
      throw err;
    }
    log.note(
      `agents serving in ${seconds(Date.now() - started)}: ${hostNames(topology)
        .map((h) => agents.address(h))
        .join(' ')}`,
    );
    return new LabSession(topology, log, agents, new Orchestrator(agents, log));
  }

  /**
   * Runs one phase of a scenario (its only one by default), then its cleanups, latest first, whatever
   * happened. After its last phase, whatever it left on the hosts (networks, containers, marked links,
   * a stopped agent) is removed or restarted, and fails it if it passed. Resolves its run time; rejects
   * with its failure, completed with the step it failed at and the end of the logs.
   */
  async runScenario(scenario: Scenario, phase = 'main'): Promise<number> {
    const phases = scenario.phases ?? ['main'];
    if (!phases.includes(phase)) throw new Error(`scenario ${scenario.name} has no phase ${phase}`);
    const final = phase === phases[phases.length - 1];
    this.log.scenario = phases.length > 1 ? `${scenario.name}/${phase}` : scenario.name;
    this.log.note(`=== ${scenario.summary}`);
    const started = Date.now();
    const run = new ScenarioRun(this, phase, final);
    let failure: { error: unknown; context: string } | undefined;
    try {
      await scenario.run(run.context);
    } catch (error) {
      failure = { error, context: this.failureContext(scenario, run.lastStep, started) };
    }
    const problems = await run.cleanUp();
    if (final)
      problems.push(
        ...(await this.clearHosts().catch((err: unknown) => [
          `the lab could not clear the hosts: ${String(err)}`,
        ])),
      );
    if (problems.length > 0) this.log.note(`not clean after the scenario: ${problems.join('; ')}`);
    if (!failure && problems.length > 0)
      failure = {
        error: new Error(`the scenario did not leave the hosts clean: ${problems.join('; ')}`),
        context: this.failureContext(scenario, run.lastStep, started),
      };
    const elapsed = Date.now() - started;
    this.log.note(`=== ${failure ? 'FAILED' : 'passed'} in ${seconds(elapsed)}`);
    this.log.scenario = '';
    if (failure) throw withContext(failure.error, failure.context);
    return elapsed;
  }

  /** Stops the agents (SIGTERM), closes the clients, removes the topology. */
  async close(): Promise<void> {
    this.orchestrator.close();
    await this.agents.stopAll();
    removeTopology(this.topology);
  }

  /**
   * Removes what a scenario left: every network on every agent (forced: with its endpoints), container
   * namespaces, links with the agent's mark that no network explains; starts an agent it left stopped.
   * Each host gets a new client (one the scenario broke, by restarting its agent, would fail calls for
   * a while). Returns what it found.
   */
  private async clearHosts(): Promise<string[]> {
    this.log.step('(the lab checks that the scenario left the hosts clean)');
    const found: string[] = [];
    for (const host of hostNames(this.topology)) {
      if (!this.agents.isRunning(host)) {
        found.push(`the agent of ${host} stopped (started again)`);
        await this.agents.start(host);
      }
      const client = this.orchestrator.reconnect(host);
      for (const network of (await client.listNetworks()).networks) {
        found.push(`network ${network.name} on ${host}`);
        await client.deleteNetwork(network.name, { force: true });
      }
    }
    const ours = new Set(topologyNetns(this.topology));
    for (const netns of listNetns().filter((n) => n.startsWith('mvt-') && !ours.has(n))) {
      found.push(`netns ${netns}`);
      ip('netns', 'del', netns);
    }
    for (const host of hostNames(this.topology)) {
      for (const link of markedLinks(hostNetns(this.topology, host))) {
        found.push(`link ${link} on ${host}`);
        ip('-n', hostNetns(this.topology, host), 'link', 'del', link);
      }
    }
    return found;
  }

  /**
   * Where a scenario failed, taken when it failed (the cleanup logs more): its last step, the end of
   * orchestrator.log, the agents' warnings and errors since it started, and where the logs are.
   */
  private failureContext(scenario: Scenario, lastStep: string, since: number): string {
    const short = (line: string) => (line.length > 240 ? `${line.slice(0, 240)}...` : line);
    const warnings = hostNames(this.topology).flatMap((host) =>
      this.agents
        .logs(host)
        .filter((e) => typeof e.level === 'number' && e.level >= 40 && Number(e.time) >= since)
        .slice(-3)
        .map((e) => `  ${host}: ${short(String(e.msg))}`),
    );
    return [
      `\nscenario ${scenario.name}, at step: ${lastStep}`,
      'orchestrator.log ends:',
      ...this.log.orchestratorTail(8).map((l) => `  ${short(l)}`),
      ...(warnings.length ? ['agents warned:', ...warnings] : []),
      `logs: ${this.log.dir} (steps.log, orchestrator.log, agent-<host>.log)`,
    ].join('\n');
  }
}

/** The error, its message completed with `context` (and its stack with the new message). */
function withContext(failure: unknown, context: string): Error {
  const error = failure instanceof Error ? failure : new Error(String(failure));
  const frames = (error.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l));
  error.message += context;
  error.stack = [`${error.name}: ${error.message}`, ...frames].join('\n');
  return error;
}
