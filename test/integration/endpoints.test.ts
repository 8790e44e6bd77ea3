import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Status } from 'nice-grpc';
import {
  AgentClient,
  EndpointState,
  MvnetError,
  type EndpointSpec,
  type NetworkSpec,
} from '../../client/src';
import { deleteNetns, addNetns } from '../../tools/netns';
import { spawnAgent, type AgentProcess } from '../support/agentProcess';
import { ipIn, makeSwitchedHosts, pings, type SwitchedHosts } from '../support/switchedHosts';
import { waitFor } from '../support/waitFor';

const SEED: NetworkSpec = {
  name: 'mvnet',
  parent: 'eth0',
  subnets: [
    { cidr: '192.168.0.0/24', gateway: '192.168.0.1', ipRange: '', auxAddresses: {} },
    { cidr: 'fd00::/64', gateway: 'fd00::1', ipRange: '', auxAddresses: {} },
  ],
};

describe('endpoints on this kernel: containers on a macvlan network', () => {
  let lab: SwitchedHosts;
  let dir: string;
  const agents: AgentProcess[] = [];
  const clients: AgentClient[] = [];

  beforeAll(async () => {
    lab = await makeSwitchedHosts('ep', 2);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-ep-'));
    for (const [i, host] of lab.hosts.entries()) {
      agents.push(await spawnAgent({ stateDir: path.join(dir, `h${i}`), netns: host }));
      clients.push(new AgentClient({ host: agents[i].address }));
    }
    await clients[0].createNetwork({ ...SEED, hostAccess: true });
    await clients[1].createNetwork(SEED);
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    for (const a of agents) await a.stop();
    await lab?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function connect(i: number, spec: Partial<EndpointSpec> & { netns: string }) {
    return (await clients[i].createEndpoint({ network: 'mvnet', ...spec })).endpoint;
  }

  it('attaches two containers on one host that ping each other and the gateway, over IPv4 and IPv6', async () => {
    const c1 = await lab.container('c1');
    const c2 = await lab.container('c2');
    const e1 = await connect(0, { netns: c1, name: 'c1', ipv4Address: '192.168.0.3' });
    const e2 = await connect(0, { netns: c2, name: 'c2', ipv4Address: '192.168.0.4' });
    expect(e1).toMatchObject({ ifname: 'eth0', ipv4Address: '192.168.0.3', ipv6Address: 'fd00::2' });
    expect(e2.status!.state).toBe(EndpointState.ENDPOINT_STATE_READY);
    expect(ipIn(c1, '-j', 'route', 'show', 'default')).toContain('192.168.0.1');
    expect(pings(c2, '192.168.0.3')).toBe(true);
    expect(pings(c1, '192.168.0.1')).toBe(true);
    expect(pings(c2, 'fd00::2')).toBe(true);
  });

  it('connects containers on two hosts through the switch', async () => {
    const a = await lab.container('a');
    const b = await lab.container('b');
    const ea = await connect(0, { netns: a, name: 'a' });
    const eb = await connect(1, { netns: b, name: 'b', ipv4Address: '192.168.0.50' });
    expect(pings(a, eb.ipv4Address)).toBe(true);
    expect(pings(b, ea.ipv4Address)).toBe(true);
  });

  it('lets the host reach its own containers through the host-access shim', async () => {
    const c = await lab.container('hc');
    const e = await connect(0, { netns: c, name: 'hc' });
    expect(pings(lab.hosts[0], e.ipv4Address)).toBe(true);
    // The other host has no shim: the classic macvlan limitation stands there.
    const d = await lab.container('hd');
    const f = await connect(1, { netns: d, name: 'hd' });
    expect(pings(lab.hosts[1], f.ipv4Address)).toBe(false);
  });

  it('never hands out one address twice to 100 concurrent creates', async () => {
    const spaces = await Promise.all(Array.from({ length: 10 }, (_, i) => lab.container(`k${i}`)));
    const made = await Promise.all(
      Array.from({ length: 100 }, (_, i) => connect(1, { netns: spaces[i % 10], name: `k${i}` })),
    );
    const addresses = made.map((e) => e.ipv4Address);
    expect(new Set(addresses).size).toBe(100);
    for (const ns of spaces) {
      const names = (JSON.parse(ipIn(ns, '-j', 'link', 'show')) as { ifname: string }[]).map((l) => l.ifname);
      expect(names.filter((n) => n.startsWith('eth'))).toHaveLength(10);
    }
    await Promise.all(made.map((e) => clients[1].deleteEndpoint('mvnet', e.name)));
  });

  it('marks an endpoint LOST when its container goes, and re-attaches it with the same address and MAC', async () => {
    const ns = await lab.container('sticky');
    const first = await connect(0, { netns: ns, name: 'sticky' });
    await deleteNetns(ns);
    expect((await clients[0].getEndpoint('mvnet', 'sticky')).status!.state).toBe(
      EndpointState.ENDPOINT_STATE_LOST,
    );
    await addNetns(ns);
    const again = await connect(0, { netns: ns, name: 'sticky' });
    expect(again.status!.state).toBe(EndpointState.ENDPOINT_STATE_READY);
    expect([again.ipv4Address, again.macAddress]).toEqual([first.ipv4Address, first.macAddress]);
    expect(JSON.parse(ipIn(ns, '-j', 'link', 'show', 'eth0'))[0].address).toBe(first.macAddress);
  });

  it('notices a vanished container by its periodic check, without being asked', async () => {
    const dirOf = path.join(dir, 'periodic');
    const agent = await spawnAgent({
      stateDir: dirOf,
      netns: lab.hosts[1],
      extra: ['--endpoint-check-interval', '200'],
    });
    const client = new AgentClient({ host: agent.address });
    try {
      await client.createNetwork({
        ...SEED,
        name: 'periodic',
        subnets: [{ cidr: '10.77.0.0/24', gateway: '10.77.0.1', ipRange: '', auxAddresses: {} }],
      });
      const ns = await lab.container('per');
      await client.createEndpoint({ network: 'periodic', netns: ns, name: 'per' });
      await deleteNetns(ns);
      await waitFor('the periodic check to mark per LOST', () =>
        agent.logs.some((l) => l.endpoint === 'per' && l.state === 'lost'),
      );
    } finally {
      client.close();
      await agent.stop();
    }
  });

  it('keeps endpoints and leases across a restart', async () => {
    const before = await clients[0].listEndpoints('mvnet');
    clients[0].close();
    await agents[0].stop();
    agents[0] = await spawnAgent({ stateDir: path.join(dir, 'h0'), netns: lab.hosts[0] });
    clients[0] = new AgentClient({ host: agents[0].address });
    const after = await clients[0].listEndpoints('mvnet');
    expect(after.endpoints.map((e) => [e.name, e.ipv4Address, e.macAddress])).toEqual(
      before.endpoints.map((e) => [e.name, e.ipv4Address, e.macAddress]),
    );
    const ns = await lab.container('new');
    const fresh = await connect(0, { netns: ns, name: 'new' });
    expect(before.endpoints.map((e) => e.ipv4Address)).not.toContain(fresh.ipv4Address);
  });

  it.each([
    ['a bad name', { name: '-x' }, Status.INVALID_ARGUMENT, 'endpoint.name'],
    [
      'an address outside the subnets',
      { ipv4Address: '10.1.1.1' },
      Status.INVALID_ARGUMENT,
      'not inside any IPv4 subnet',
    ],
    [
      'an address that is taken',
      { ipv4Address: '192.168.0.3' },
      Status.FAILED_PRECONDITION,
      'taken by endpoint c1',
    ],
    ['the gateway', { ipv4Address: '192.168.0.1' }, Status.FAILED_PRECONDITION, 'gateway'],
    ['a multicast MAC', { macAddress: '01:00:5e:00:00:01' }, Status.INVALID_ARGUMENT, 'multicast'],
    ['a long ifname', { ifname: 'averyveryverylongname' }, Status.INVALID_ARGUMENT, 'endpoint.ifname'],
    ['a missing netns', { netns: 'mvt-no-such-ns' }, Status.FAILED_PRECONDITION, 'does not exist'],
    ['a missing network', { network: 'nope' }, Status.NOT_FOUND, 'network nope not found'],
  ] as [string, Partial<EndpointSpec>, Status, string][])(
    'refuses %s, changing nothing',
    async (_what, overrides, code, words) => {
      const ns = await lab.container('bad');
      const before = {
        host: ipIn(lab.hosts[0], '-d', '-j', 'link'),
        ns: ipIn(ns, '-d', '-j', 'link'),
        list: await clients[0].listEndpoints(),
      };
      const err = await clients[0]
        .createEndpoint({ network: 'mvnet', netns: ns, name: 'bad', ...overrides })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MvnetError);
      expect((err as MvnetError).code).toBe(code);
      expect((err as MvnetError).details).toContain(words);
      expect(ipIn(lab.hosts[0], '-d', '-j', 'link')).toBe(before.host);
      expect(ipIn(ns, '-d', '-j', 'link')).toBe(before.ns);
      expect(await clients[0].listEndpoints()).toEqual(before.list);
    },
  );

  it('detaches on delete, idempotently, and refuses to delete a network in use unless forced', async () => {
    const ns = await lab.container('gone');
    await connect(1, { netns: ns, name: 'gone' });
    await clients[1].deleteEndpoint('mvnet', 'gone');
    await clients[1].deleteEndpoint('mvnet', 'gone');
    expect(ipIn(ns, '-j', 'link', 'show')).not.toContain('eth0');
    const err = await clients[1].deleteNetwork('mvnet').catch((e: unknown) => e as MvnetError);
    expect((err as MvnetError).code).toBe(Status.FAILED_PRECONDITION);
    await clients[1].deleteNetwork('mvnet', { force: true });
    expect((await clients[1].listEndpoints()).endpoints).toEqual([]);
  });
});
