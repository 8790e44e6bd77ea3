import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Status } from 'nice-grpc';
import { AgentClient, MacvlanMode, MvnetError, NetworkState, type NetworkSpec } from '../../client/src';
import { spawnAgent, type AgentProcess } from '../support/agentProcess';
import { makeNetnsHost, type NetnsHost } from '../support/netnsHost';
import { waitFor } from '../support/waitFor';

const SEED: NetworkSpec = {
  name: 'mvnet',
  parent: 'eth0',
  subnets: [{ cidr: '192.168.0.0/24', gateway: '192.168.0.1', ipRange: '', auxAddresses: {} }],
};

describe('mvnet-agent networks on this kernel, in a namespace host', () => {
  let host: NetnsHost;
  let stateDir: string;
  let agent: AgentProcess;
  let client: AgentClient;

  beforeAll(async () => {
    host = await makeNetnsHost('net');
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-it-'));
    agent = await spawnAgent({ stateDir, netns: host.ns });
    client = new AgentClient({ host: agent.address });
  });

  afterAll(async () => {
    client?.close();
    await agent?.stop();
    await host?.cleanup();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  async function refusal(run: () => Promise<unknown>): Promise<MvnetError> {
    const before = { links: host.links(), revision: (await client.listNetworks()).revision };
    const err = await run().then(
      () => new Error('expected a refusal'),
      (e: unknown) => e,
    );
    if (!(err instanceof MvnetError)) throw err;
    expect(host.links()).toEqual(before.links);
    expect((await client.listNetworks()).revision).toBe(before.revision);
    return err;
  }

  it('creates the seed network on eth0, ready, and lists it', async () => {
    const { network, revision } = await client.createNetwork(SEED);
    expect(revision).toBeGreaterThan(0);
    expect(network.mode).toBe(MacvlanMode.MACVLAN_MODE_BRIDGE);
    expect(network.status).toMatchObject({
      state: NetworkState.NETWORK_STATE_READY,
      parentLink: 'eth0',
      parentLinkOwned: false,
      revision,
    });
    expect((await client.getNetwork('mvnet')).subnets[0].gateway).toBe('192.168.0.1');
    expect((await client.listNetworks()).networks.map((n) => n.name)).toEqual(['mvnet']);
  });

  it('returns the same network for a retried create, and ALREADY_EXISTS for another spec', async () => {
    const { revision } = await client.listNetworks();
    expect((await client.createNetwork(SEED)).revision).toBe(revision);
    const err = await refusal(() => client.createNetwork({ ...SEED, mtu: 1400 }));
    expect(err.code).toBe(Status.ALREADY_EXISTS);
    expect(err.details).toContain('another mtu');
  });

  it.each([
    ['a bad name', { name: '-x' }, 'network.name'],
    [
      'a CIDR with host bits',
      { name: 'n1', subnets: [{ cidr: '10.9.0.5/16', gateway: '10.9.0.1', ipRange: '', auxAddresses: {} }] },
      'did you mean 10.9.0.0/16',
    ],
    [
      'a gateway outside its subnet',
      { name: 'n1', subnets: [{ cidr: '10.9.0.0/16', gateway: '10.8.0.1', ipRange: '', auxAddresses: {} }] },
      'network.subnets[0].gateway',
    ],
    ['eth0.10 with vlan_id 20', { name: 'n1', parent: 'eth0.10', vlanId: 20 }, 'network.vlan_id'],
    ['a VLAN id out of range', { name: 'n1', vlanId: 5000 }, 'network.vlan_id'],
    ['an unknown mode', { name: 'n1', mode: 9 as MacvlanMode }, 'network.mode'],
  ] as [string, Partial<NetworkSpec>, string][])(
    'refuses %s with INVALID_ARGUMENT, changing nothing',
    async (_what, overrides, words) => {
      const err = await refusal(() =>
        client.createNetwork({
          ...SEED,
          subnets: [{ cidr: '10.9.0.0/16', gateway: '10.9.0.1', ipRange: '', auxAddresses: {} }],
          ...overrides,
        }),
      );
      expect(err.code).toBe(Status.INVALID_ARGUMENT);
      expect(err.details).toContain(words);
    },
  );

  it.each([
    ['a sub-interface (no 802.1q here)', { parent: 'eth0.10' }, 'the kernel lacks 802.1q'],
    [
      'a sub-interface of a missing eth1',
      { parent: 'eth1.10' },
      'parent eth1 of sub-interface eth1.10 does not exist',
    ],
    ['an internal network (no dummy here)', { parent: '' }, 'lacks the dummy link driver'],
    ['a bond parent (no bonding here)', { parent: 'bond0' }, 'lacks bonding'],
    ['a missing parent', { parent: 'eth7' }, 'parent eth7 does not exist'],
    ["an MTU above the parent's", { mtu: 9000 }, 'above the MTU 1500 of parent eth0'],
    [
      'an overlapping subnet',
      { subnets: [{ cidr: '192.168.0.0/25', gateway: '192.168.0.1', ipRange: '', auxAddresses: {} }] },
      'overlaps 192.168.0.0/24 of network mvnet',
    ],
  ] as [string, Partial<NetworkSpec>, string][])(
    'refuses %s with FAILED_PRECONDITION, changing nothing',
    async (_what, overrides, words) => {
      const err = await refusal(() =>
        client.createNetwork({
          ...SEED,
          name: 'n2',
          subnets: [{ cidr: '10.7.0.0/16', gateway: '10.7.0.1', ipRange: '', auxAddresses: {} }],
          ...overrides,
        }),
      );
      expect(err.code).toBe(Status.FAILED_PRECONDITION);
      expect(err.details).toContain(words);
    },
  );

  it('sets promiscuous mode on eth0 when asked and clears it with the network', async () => {
    const promisc = () =>
      (host.links().find((l) => l.ifname === 'eth0')!.flags as string[]).includes('PROMISC');
    await client.createNetwork({
      ...SEED,
      name: 'promisc',
      promiscuous: true,
      subnets: [{ cidr: '10.6.0.0/16', gateway: '10.6.0.1', ipRange: '', auxAddresses: {} }],
    });
    expect(promisc()).toBe(true);
    await client.deleteNetwork('promisc');
    expect(promisc()).toBe(false);
  });

  it('reports eth0 going down as DEGRADED with a new revision, without setting it up', async () => {
    const before = (await client.getNetwork('mvnet')).status!.revision;
    host.ip('link', 'set', 'eth0', 'down');
    try {
      const status = (await client.getNetwork('mvnet')).status!;
      expect(status.state).toBe(NetworkState.NETWORK_STATE_DEGRADED);
      expect(status.revision).toBeGreaterThan(before);
      expect(host.ip('-j', 'link', 'show', 'eth0')).not.toContain('"UP"');
    } finally {
      host.ip('link', 'set', 'eth0', 'up');
    }
    // The kernel takes a moment to bring a veth's operstate back to UP.
    await waitFor(
      'mvnet ready again',
      async () => (await client.getNetwork('mvnet')).status!.state === NetworkState.NETWORK_STATE_READY,
    );
  });

  it('keeps networks and revision across a restart, removes its orphans and leaves foreign links alone', async () => {
    const { revision } = await client.listNetworks();
    // An orphan (the agent's mark, no network needs it) and two foreign links beside it.
    host.ip('link', 'add', 'link', 'eth0', 'name', 'orphan0', 'type', 'macvlan');
    host.ip('link', 'set', 'orphan0', 'alias', 'mvnet:gone');
    host.ip('link', 'add', 'link', 'eth0', 'name', 'foreign0', 'type', 'macvlan');
    host.ip('link', 'add', 'link', 'eth0', 'name', 'foreign1', 'type', 'macvlan');
    host.ip('link', 'set', 'foreign1', 'alias', 'someone-else');
    client.close();
    // The running agent may already see the orphan through the kernel's notifications, or the next
    // one finds it at start: either removes it, and says so.
    const before = agent;
    expect(await agent.stop()).toBe(0);
    agent = await spawnAgent({ stateDir, netns: host.ns });
    client = new AgentClient({ host: agent.address });
    const names = host.links().map((l) => l.ifname);
    expect(names).not.toContain('orphan0');
    expect(names).toEqual(expect.arrayContaining(['eth0', 'foreign0', 'foreign1']));
    const after = await client.listNetworks();
    expect(after.networks.map((n) => n.name)).toEqual(['mvnet']);
    expect(after.revision).toBe(revision);
    const logs = [...before.logs, ...agent.logs];
    expect(logs.some((l) => String(l.msg).includes('orphaned link orphan0'))).toBe(true);
  });

  it('reports the host: capabilities probed, interfaces with owners', async () => {
    const { host: info } = await client.getHost();
    expect(info.capabilities).toEqual({
      vlan8021q: false,
      macvlan: true,
      dummy: false,
      bonding: false,
      vlanFilteringBridge: false,
    });
    expect(info.netns).toBe(host.ns);
    expect(info.bootId).toMatch(/^[0-9a-f-]{36}$/);
    expect(info.interfaces.find((i) => i.name === 'eth0')).toMatchObject({ kind: 'veth', mtu: 1500 });
  });

  it('deletes a network, then answers NOT_FOUND for it', async () => {
    const { revision } = await client.deleteNetwork('mvnet');
    expect(revision).toBeGreaterThan(0);
    const err = await refusal(() => client.getNetwork('mvnet'));
    expect(err.code).toBe(Status.NOT_FOUND);
  });
});
