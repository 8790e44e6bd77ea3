/**
 * The fleet on this kernel: five agents, each on a host netns whose eth0 is on one switch (gateway
 * 192.168.0.1) and whose eth1 is on a second switch (gateway 10.60.0.1), except h4's eth1, which leads
 * nowhere. Driven through the SDK's Fleet: a rolling apply with per-host ranges (containers on
 * different hosts ping each other), a rollout that fails on h4's gateway probe (stopped at its wave,
 * the hosts it changed rolled back in their kernels), a cross-host duplicate refused by the plan, and a
 * saved plan that leaves a host changed since alone.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Fleet } from '../../client/src/fleet/Fleet';
import type { FleetProgress, FleetSpec } from '../../client/src/fleet/fleetTypes';
import { FleetRefusedError } from '../../client/src/fleet/rollout';
import { AgentClient } from '../../client/src';
import { FleetEndpoint, FleetNetwork } from '../../proto/gen/mvnet/fleet/v1/fleet';
import { addNetns, addVethPair } from '../../tools/netns';
import { spawnAgent, type AgentProcess } from '../support/agentProcess';
import { uniqueNetnsName } from '../support/netnsPrefix';
import { ipIn, makeSwitchedHosts, pings, type SwitchedHosts } from '../support/switchedHosts';

const HOSTS = 5;
const LAN = FleetNetwork.fromPartial({
  name: 'lan',
  parent: 'eth0',
  subnets: [{ cidr: '192.168.0.0/24', gateway: '192.168.0.1', ipRangePerHost: 28 }],
});
const BACK = FleetNetwork.fromPartial({
  name: 'back',
  parent: 'eth1',
  subnets: [{ cidr: '10.60.0.0/24', gateway: '10.60.0.1', ipRangePerHost: 28 }],
});

describe('a fleet of five agents on this kernel, through the SDK', () => {
  let lab: SwitchedHosts;
  let dir: string;
  const agents: AgentProcess[] = [];
  const containers: string[] = [];
  let fleetHosts: FleetSpec['hosts'];

  const fleetOf = (
    networks: FleetNetwork[],
    endpoints: FleetEndpoint[],
    rollout: Partial<FleetSpec['rollout']> = {},
  ) =>
    new Fleet({
      hosts: fleetHosts,
      networks,
      endpoints,
      rollout: {
        canary: 1,
        maxUnavailable: { count: 1 },
        confirmWithinMs: 30_000,
        probeGateways: false,
        maxFailures: 0,
        ...rollout,
      },
    });

  /** Runs a rollout to its end; returns each host's last state. */
  async function rollOut(
    fleet: Fleet,
    ...args: Parameters<Fleet['apply']>
  ): Promise<Map<string, FleetProgress>> {
    const last = new Map<string, FleetProgress>();
    for await (const p of fleet.apply(...args)) last.set(p.host, p);
    return last;
  }

  const states = (last: Map<string, FleetProgress>) =>
    Object.fromEntries([...last].map(([h, p]) => [h, p.state]));
  const networksOf = async (i: number) => {
    const client = new AgentClient({ host: agents[i].address });
    try {
      return (await client.listNetworks()).networks.map((n) => n.name).sort();
    } finally {
      client.close();
    }
  };
  const revisionOf = async (i: number) => {
    const client = new AgentClient({ host: agents[i].address });
    try {
      return (await client.getHost()).revision;
    } finally {
      client.close();
    }
  };

  beforeAll(async () => {
    lab = await makeSwitchedHosts('flt', HOSTS);
    const back = await lab.container('fltback');
    ipIn(back, 'link', 'add', 'br1', 'type', 'bridge');
    ipIn(back, 'addr', 'add', '10.60.0.1/24', 'dev', 'br1');
    ipIn(back, 'link', 'set', 'br1', 'up');
    const nowhere = uniqueNetnsName('fltdead');
    await addNetns(nowhere);
    containers.push(nowhere); // removed with the containers
    for (const [i, host] of lab.hosts.entries()) {
      const h4 = i === 3;
      await addVethPair('eth1', host, `b${i}`, h4 ? nowhere : back);
      if (!h4) ipIn(back, 'link', 'set', `b${i}`, 'master', 'br1', 'up');
      ipIn(host, 'link', 'set', 'eth1', 'up');
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-fleet-'));
    agents.push(
      ...(await Promise.all(
        lab.hosts.map((host, i) => spawnAgent({ stateDir: path.join(dir, `h${i + 1}`), netns: host })),
      )),
    );
    fleetHosts = agents.map((a, i) => ({ name: `h${i + 1}`, address: a.address, labels: {} }));
    for (let i = 1; i <= HOSTS; i++) containers.push(await lab.container(`fc${i}`));
  });

  afterAll(async () => {
    for (const a of agents) await a.stop();
    await lab?.cleanup();
    const { deleteNetns } = await import('../../tools/netns');
    for (const ns of containers) await deleteNetns(ns).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('rolls a network with an endpoint per host out, wave by wave; containers on different hosts ping each other', async () => {
    const endpoints = fleetHosts.map((h, i) =>
      FleetEndpoint.fromPartial({
        host: h.name,
        name: `c${i + 1}`,
        network: 'lan',
        netns: containers[i + 1],
      }),
    );
    const fleet = fleetOf([LAN], endpoints, { maxUnavailable: { count: 2 } });
    try {
      const plan = await fleet.plan();
      expect(plan.refusals).toEqual([]);
      expect(plan.hosts.map((h) => [h.name, h.changes])).toEqual(fleetHosts.map((h) => [h.name, 2]));
      // Each host's share has a block of its own: 192.168.0.0/28 for h1, .16/28 for h2...
      const ranges = plan.hosts.map((h) => h.spec.networks![0].subnets![0].ipRange);
      expect(new Set(ranges).size).toBe(HOSTS);
      const last = await rollOut(fleet);
      expect(states(last)).toEqual(Object.fromEntries(fleetHosts.map((h) => [h.name, 'Available'])));
      expect([...last.values()].map((p) => p.wave)).toEqual([0, 1, 1, 2, 2]);
      const addresses = await Promise.all(
        agents.map(async (a) => {
          const client = new AgentClient({ host: a.address });
          try {
            return (await client.listEndpoints('lan')).endpoints[0].ipv4Address;
          } finally {
            client.close();
          }
        }),
      );
      expect(new Set(addresses).size).toBe(HOSTS);
      expect(pings(containers[1], addresses[4])).toBe(true);
      expect(pings(containers[5], addresses[0])).toBe(true);
      // Planned again, nothing changes: every host keeps its block and its endpoint.
      const again = await fleet.plan();
      expect(again.hosts.map((h) => h.changes)).toEqual([0, 0, 0, 0, 0]);
    } finally {
      fleet.close();
    }
  });

  it("stops at h4's wave when its gateway probe fails there, and rolls back the hosts it changed", async () => {
    const before = await Promise.all(agents.map((_, i) => networksOf(i)));
    const fleet = fleetOf(
      [LAN, BACK],
      fleetHosts.map((h, i) =>
        FleetEndpoint.fromPartial({
          host: h.name,
          name: `c${i + 1}`,
          network: 'lan',
          netns: containers[i + 1],
        }),
      ),
      { probeGateways: true, confirmWithinMs: 20_000 },
    );
    try {
      const last = await rollOut(fleet);
      expect(states(last)).toEqual({
        h1: 'RolledBack',
        h2: 'RolledBack',
        h3: 'RolledBack',
        h4: 'Failing',
        h5: 'Aborted',
      });
      expect(last.get('h4')!.message).toContain('gateway 10.60.0.1 of network back answers ARP');
      expect(await Promise.all(agents.map((_, i) => networksOf(i)))).toEqual(before);
      for (const host of lab.hosts) expect(ipIn(host, '-d', 'link', 'show')).not.toMatch(/mvnet:back/);
    } finally {
      fleet.close();
    }
  });

  it('refuses a plan that gives one address to two hosts of one segment, naming both; nothing changes', async () => {
    const revisions = await Promise.all(agents.map((_, i) => revisionOf(i)));
    const twice = ['h1', 'h2'].map((host, i) =>
      FleetEndpoint.fromPartial({
        host,
        name: `dup${i}`,
        network: 'lan',
        netns: containers[i + 1],
        ipv4Address: '192.168.0.200',
      }),
    );
    const fleet = fleetOf([{ ...LAN, subnets: [{ ...LAN.subnets[0], ipRangePerHost: 0 }] }], twice);
    try {
      const plan = await fleet.plan();
      expect(plan.ok).toBe(false);
      expect(plan.refusals).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ hosts: ['h1', 'h2'], message: expect.stringContaining('192.168.0.200') }),
        ]),
      );
      await expect(rollOut(fleet)).rejects.toBeInstanceOf(FleetRefusedError);
      expect(await Promise.all(agents.map((_, i) => revisionOf(i)))).toEqual(revisions);
    } finally {
      fleet.close();
    }
  });

  it("checks that a changed host answers on a connection of its own, not the one the rollout's client holds", async () => {
    const fleet = fleetOf([LAN], []);
    const port = agents[0].address.split(':')[1];
    const established = () =>
      execFileSync('ss', ['-Htn', 'state', 'established', 'dst', `127.0.0.1:${port}`], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .filter(Boolean).length;
    try {
      await fleet.client(fleetHosts[0]).getHost();
      const held = established(); // the client's, maybe shared with clients before it (grpc-js's pool)
      const fresh = fleet.connect(fleetHosts[0]);
      await fresh.getHost();
      expect(established()).toBe(held + 1);
      fresh.close();
    } finally {
      fleet.close();
    }
  });

  it('applies a saved plan exactly, leaving a host that changed since alone (Changed)', async () => {
    const fleet = fleetOf([LAN], [], { maxUnavailable: { count: 5 } });
    try {
      const plan = await fleet.plan();
      expect(plan.ok).toBe(true);
      const h2 = new AgentClient({ host: agents[1].address });
      await h2.createNetwork({
        name: 'meanwhile',
        parent: 'eth1',
        subnets: [{ cidr: '10.61.0.0/24', gateway: '10.61.0.1', ipRange: '', auxAddresses: {} }],
      });
      const moved = (await h2.getHost()).revision;
      const last = await rollOut(fleet, { plan });
      expect(last.get('h2')).toMatchObject({ state: 'Changed' });
      expect(states(last)).toMatchObject({
        h1: 'Available',
        h3: 'Available',
        h4: 'Available',
        h5: 'Available',
      });
      expect((await h2.getHost()).revision).toBe(moved);
      expect(await networksOf(1)).toEqual(['lan', 'meanwhile']);
      h2.close();
    } finally {
      fleet.close();
    }
  });
});
