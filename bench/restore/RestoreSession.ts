/**
 * The restore benchmark's host, built once, and the four things a round does to it: restart the agent
 * on the same state, start one on an empty state (the restart's peer), reboot the host and start the
 * agent (the reboot's peer being the `ip -batch` floor for the same host links), and, after a reboot,
 * bring the containers back and re-attach their endpoints with one Apply. The state is built through
 * one Apply of the whole host. Every side's time is a wall time from the benchmark's clock.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { PlanAction } from '../../proto/gen/mvnet/v1/apply';
import { rawAgent } from '../../test/support/applyWire';
import type { AgentClient } from '../../client/src/AgentClient';
import { makeSwitchedHost } from '../shared/benchNamespaces';
import { readFloorLines, runFloor } from './ipBatchFloor';
import { emptyCheck, rebootedCheck, restartedCheck, verifyHostLinks } from './restoreChecks';
import { addContainers, plugHost, rebootHost } from './restoreHosts';
import {
  EMPTY_HOST_NETNS,
  FLOOR_HOST_NETNS,
  HOST_NETNS,
  planLayout,
  RESTORE_HOST,
  restoreSpec,
  type RestorePlan,
  type RestoreScale,
} from './restoreLayout';
import { machineBootId, makeStateDir, RestoreAgent, type TimedStart } from './RestoreAgent';

export interface SessionOptions {
  scale: Omit<RestoreScale, 'vlans'>;
  logLevel: string;
  logFile?: string;
}

/** One Apply, timed from the call to its reply, and its plan's steps by action. */
export interface TimedApply {
  ms: number;
  steps: Record<string, number>;
}

export class RestoreSession {
  private agent?: RestoreAgent;
  /** The boot id the agent reads: the machine's, then a new one at each simulated reboot. */
  private bootId = machineBootId();
  private floorLines: string[] = [];

  private constructor(
    private readonly o: SessionOptions,
    private readonly stateDir: string,
    private plan: RestorePlan,
  ) {}

  /** The hosts, the containers and the agent's first start on a fresh state dir; then setup() builds the state. */
  static async open(o: SessionOptions): Promise<RestoreSession> {
    await makeSwitchedHost(RESTORE_HOST);
    for (const host of [EMPTY_HOST_NETNS, FLOOR_HOST_NETNS]) await plugHost(host);
    const session = new RestoreSession(o, makeStateDir(), planLayout({ ...o.scale, vlans: false }));
    const { agent } = await RestoreAgent.start(
      session.agentOptions(HOST_NETNS, session.stateDir),
      emptyCheck,
    );
    session.agent = agent;
    const { host } = await agent.client.getHost();
    session.plan = planLayout({ ...o.scale, vlans: host.capabilities?.vlan8021q ?? false });
    return session;
  }

  get layout(): RestorePlan {
    return this.plan;
  }

  /** The whole host in one Apply (timed: for scale), checked, and the floor's lines read off the host. */
  async setup(): Promise<TimedApply> {
    await addContainers(this.plan.containers);
    const made = await this.apply();
    const missing = await restartedCheck(this.plan)(this.running().client);
    if (missing) throw new Error(`after the setup Apply, ${missing}`);
    this.floorLines = await readFloorLines(HOST_NETNS);
    return made;
  }

  /**
   * SIGTERM, then a start on the same state, timed until every network and endpoint is READY; with
   * `cpuProfileDir`, under `node --cpu-prof` (the profile is written there when the agent stops).
   */
  async restart(cpuProfileDir?: string): Promise<TimedStart> {
    await this.stopAgent();
    return this.startAgent(restartedCheck(this.plan), cpuProfileDir);
  }

  /** The peer of a restart: the same agent on an empty state dir (its own host), timed the same way. */
  async startEmpty(): Promise<TimedStart> {
    const dir = makeStateDir();
    try {
      const { agent, start } = await RestoreAgent.start(this.agentOptions(EMPTY_HOST_NETNS, dir), emptyCheck);
      await agent.stop();
      return start;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * A reboot: the agent stopped, every link gone (rebootHost), a new boot id; then the
   * agent's start, timed until every network is READY and every endpoint LOST; then (untimed) its host
   * links checked in the kernel.
   */
  async reboot(cpuProfileDir?: string): Promise<TimedStart> {
    await this.stopAgent();
    await rebootHost(HOST_NETNS, this.plan.containers);
    this.bootId = randomUUID();
    const start = await this.startAgent(rebootedCheck(this.plan), cpuProfileDir);
    await verifyHostLinks(HOST_NETNS, this.plan, 'after the reboot');
    return start;
  }

  /** After a reboot: the containers made again, then the same Apply, which attaches every endpoint again. */
  async reattach(): Promise<TimedApply> {
    await addContainers(this.plan.containers);
    const applied = await this.apply();
    const missing = await restartedCheck(this.plan)(this.running().client);
    if (missing) throw new Error(`after the re-attaching Apply, ${missing}`);
    return applied;
  }

  /** The reboot's peer: the same host links made by one `ip -batch` on a freshly booted floor host. */
  async floor(): Promise<number> {
    await rebootHost(FLOOR_HOST_NETNS, []);
    const ms = await runFloor(FLOOR_HOST_NETNS, this.floorLines);
    await verifyHostLinks(FLOOR_HOST_NETNS, this.plan, 'after the ip -batch floor');
    return ms;
  }

  /** Stops the agent, when it runs (a profiled one writes its profile). */
  async stopAgent(): Promise<void> {
    const agent = this.agent;
    this.agent = undefined;
    await agent?.stop();
  }

  /** Stops the agent and removes its state dir. */
  async close(): Promise<void> {
    await this.stopAgent();
    fs.rmSync(this.stateDir, { recursive: true, force: true });
  }

  private running(): RestoreAgent {
    if (!this.agent) throw new Error('the agent is not running');
    return this.agent;
  }

  private async startAgent(
    ready: (client: AgentClient) => Promise<string | undefined>,
    cpuProfileDir?: string,
  ): Promise<TimedStart> {
    const options = { ...this.agentOptions(HOST_NETNS, this.stateDir), cpuProfileDir };
    const { agent, start } = await RestoreAgent.start(options, ready);
    this.agent = agent;
    return start;
  }

  private agentOptions(hostNetns: string, stateDir: string) {
    return { hostNetns, stateDir, bootId: this.bootId, logLevel: this.o.logLevel, logFile: this.o.logFile };
  }

  /** The whole host's Apply through the raw generated client, timed from the call to the reply. */
  private async apply(): Promise<TimedApply> {
    const client = rawAgent(this.running().address);
    try {
      const request = { spec: restoreSpec(this.plan) };
      const start = process.hrtime.bigint();
      const { plan } = await client.apply(request);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const steps: Record<string, number> = {};
      for (const s of plan) {
        const action = PlanAction[s.action].replace('PLAN_ACTION_', '');
        steps[action] = (steps[action] ?? 0) + 1;
      }
      return { ms, steps };
    } finally {
      client.close();
    }
  }
}
