/**
 * Part 1's hosts: real `mvnet-agent` processes, each serving a host netns `mvbf-hN` whose `eth0` is a
 * veth plugged into the one bridge of `mvbf-switch` (which holds the gateway), with one container netns
 * `mvbf-cN` each. Hosts are added as the fleet grows (1, then 10, then 50), their agents started a few
 * at a time: each takes ~60 MB and a burst of CPU to start, on a machine of 2 CPUs.
 */
import type { FleetHost } from '../../client/src/fleet/fleetTypes';
import { runPool } from '../attach/runPool';
import { BenchAgent } from '../shared/BenchAgent';
import { addNamespaces, ipBatch } from '../shared/benchNamespaces';
import { containerNetns, FLEET_SWITCH_NETNS, hostNetns, REAL_NETWORK } from './fleetLayout';

export interface RealHostsOptions {
  agentLogLevel: string;
  /** Agents started at once. */
  startParallel: number;
}

export class RealHosts {
  private readonly agents: BenchAgent[] = [];
  private switchMade = false;

  constructor(private readonly options: RealHostsOptions) {}

  /** The fleet file's hosts: `h1`... with their agents' addresses. */
  get hosts(): FleetHost[] {
    return this.agents.map((a, i) => ({ name: `h${i + 1}`, address: a.address, labels: {} }));
  }

  get pids(): number[] {
    return this.agents.map((a) => a.pid);
  }

  /** Adds hosts (namespaces, switch port, container, agent) until there are `count`. */
  async growTo(count: number): Promise<void> {
    if (!this.switchMade) await this.makeSwitch();
    const from = this.agents.length + 1;
    if (count < from) return;
    const numbers = Array.from({ length: count - from + 1 }, (_, k) => from + k);
    await addNamespaces(numbers.flatMap((i) => [hostNetns(i), containerNetns(i)]));
    await ipBatch(
      numbers.flatMap((i) => [
        `link add port${i} type veth peer name eth0 netns ${hostNetns(i)}`,
        `link set dev port${i} master br0 up`,
      ]),
      FLEET_SWITCH_NETNS,
    );
    await runPool(numbers, this.options.startParallel, async (i) => {
      await ipBatch(['link set dev lo up', 'link set dev eth0 up'], hostNetns(i));
      const agent = await BenchAgent.start({ hostNetns: hostNetns(i), logLevel: this.options.agentLogLevel });
      this.agents[i - 1] = agent;
    });
  }

  /** Stops every agent (their state dirs go with them). */
  async close(): Promise<void> {
    await Promise.allSettled(this.agents.splice(0).map((a) => a.close()));
  }

  private async makeSwitch(): Promise<void> {
    await addNamespaces([FLEET_SWITCH_NETNS]);
    await ipBatch(
      [
        'link set dev lo up',
        'link add br0 type bridge',
        `addr add ${REAL_NETWORK.gateway}/${REAL_NETWORK.prefixLength} dev br0`,
        'link set dev br0 up',
      ],
      FLEET_SWITCH_NETNS,
    );
    this.switchMade = true;
  }
}
