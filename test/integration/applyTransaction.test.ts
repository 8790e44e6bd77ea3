/**
 * Apply on this kernel, through the agent: a whole host in one change, planned first, all or nothing.
 * A refused spec (every problem named at once), a stale revision, or a kernel step that fails mid-way
 * leaves the kernel's links and the state exactly as they were.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Status } from 'nice-grpc';
import type { WatchResponse } from '../../proto/gen/mvnet/v1/agent_service';
import { EventType } from '../../proto/gen/mvnet/v1/watch';
import { spawnAgent, type AgentProcess } from '../support/agentProcess';
import { describeStep, rawAgent, refusal, spec, type RawAgent } from '../support/applyWire';
import { ipIn, makeSwitchedHosts, pings, type SwitchedHosts } from '../support/switchedHosts';

const SUBNET = { cidr: '192.168.0.0/24', gateway: '192.168.0.1' };
const N1 = { name: 'n1', parent: 'eth0', subnets: [SUBNET] };

/** Every link of a netns, as `ip -d -j link` shows it, minus counters: what "nothing changed" compares. */
function linksOf(ns: string): unknown[] {
  const links = JSON.parse(ipIn(ns, '-d', '-j', 'link', 'show')) as Record<string, unknown>[];
  return links.map(({ ifindex, ifname, address, linkinfo, ifalias }) => ({
    ifindex,
    ifname,
    address,
    linkinfo,
    ifalias,
  }));
}

function addressesOf(ns: string, dev: string): string[] {
  const [link] = JSON.parse(ipIn(ns, '-j', 'addr', 'show', 'dev', dev)) as {
    addr_info: { local: string; prefixlen: number }[];
  }[];
  return link.addr_info.map((a) => `${a.local}/${a.prefixlen}`);
}

describe('Apply: the whole host in one all-or-nothing change', () => {
  let lab: SwitchedHosts;
  let dir: string;
  let host: string;
  let agent: AgentProcess;
  let client: RawAgent;
  let c1: string;
  let c2: string;

  /** The host as a client and the kernel see it. */
  async function snapshot() {
    const { revision } = await client.getHost({});
    const { networks } = await client.listNetworks({});
    const { endpoints } = await client.listEndpoints({ network: '' });
    return { revision, networks, endpoints, host: linksOf(host), c1: linksOf(c1), c2: linksOf(c2) };
  }

  beforeAll(async () => {
    lab = await makeSwitchedHosts('apl', 1);
    host = lab.hosts[0];
    c1 = await lab.container('c1');
    c2 = await lab.container('c2');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-apply-'));
    agent = await spawnAgent({ stateDir: dir, netns: host });
    client = rawAgent(agent.address);
  });

  afterAll(async () => {
    client?.close();
    await agent?.stop();
    await lab?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const twoContainers = () =>
    spec(
      [N1],
      [
        { name: 'c1', network: 'n1', netns: c1, ipv4Address: '192.168.0.10' },
        { name: 'c2', network: 'n1', netns: c2 },
      ],
    );

  it('a dry run returns the plan and changes nothing', async () => {
    const before = await snapshot();
    const { plan, revision, applyId } = await client.apply({ spec: twoContainers(), dryRun: true });
    expect(plan.map(describeStep)).toEqual([
      'CREATE network n1',
      'CREATE endpoint n1/c1',
      'CREATE endpoint n1/c2',
    ]);
    expect(plan.every((s) => s.reason !== '')).toBe(true);
    expect({ revision, applyId }).toEqual({ revision: before.revision, applyId: '' });
    expect(await snapshot()).toEqual(before);
  });

  it('applies the plan in one revision; the containers reach the gateway', async () => {
    const before = (await client.getHost({})).revision;
    const abort = new AbortController();
    const events: WatchResponse[] = [];
    const watched = (async () => {
      for await (const e of client.watch({ sinceRevision: before }, { signal: abort.signal })) {
        if (e.type === EventType.EVENT_TYPE_BOOKMARK || e.type === EventType.EVENT_TYPE_SYNCED) continue; // a new host lists nothing
        events.push(e);
        if (e.revisionEnd) break;
      }
    })();
    const { plan, revision } = await client.apply({ spec: twoContainers() });
    await watched;
    abort.abort();
    expect(events.map((e) => [e.revision, EventType[e.type], e.revisionEnd])).toEqual([
      [revision, 'EVENT_TYPE_ADDED', false],
      [revision, 'EVENT_TYPE_ADDED', false],
      [revision, 'EVENT_TYPE_ADDED', true],
    ]);
    expect(plan.map(describeStep)).toEqual([
      'CREATE network n1',
      'CREATE endpoint n1/c1',
      'CREATE endpoint n1/c2',
    ]);
    expect(revision).toBe(before + 1);
    expect(addressesOf(c1, 'eth0')).toContain('192.168.0.10/24');
    expect(pings(c1, '192.168.0.1')).toBe(true);
    expect(pings(c2, '192.168.0.1')).toBe(true);
    const { endpoints } = await client.listEndpoints({ network: 'n1' });
    expect(endpoints.map((e) => e.status?.revision)).toEqual([revision, revision]);
  });

  it('the same spec again keeps everything: no revision, no apply id', async () => {
    const before = await snapshot();
    const { plan, revision, applyId } = await client.apply({ spec: twoContainers() });
    expect(plan.map(describeStep)).toEqual(['KEEP network n1', 'KEEP endpoint n1/c1', 'KEEP endpoint n1/c2']);
    expect({ revision, applyId }).toEqual({ revision: before.revision, applyId: '' });
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a stale expected_revision with ABORTED, naming both revisions, and changes nothing', async () => {
    const before = await snapshot();
    const r = await refusal((o) =>
      client.apply({ spec: spec([N1]), expectedRevision: before.revision + 1 }, o),
    );
    expect(r.code).toBe(Status.ABORTED);
    expect(r.message).toContain(`expected_revision ${before.revision + 1}`);
    expect(r.message).toContain(`revision ${before.revision}`);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a spec with bad fields, naming every one in BadRequest field violations, and changes nothing', async () => {
    const before = await snapshot();
    const bad = spec(
      [
        { name: 'n2', parent: 'eth0', subnets: [{ cidr: '10.9.0.0/24', gateway: '10.9.1.1' }] },
        N1,
        { name: 'n 3', parent: 'eth0', vlanId: 5000 },
      ],
      [
        { name: 'c1', network: 'n1', netns: c1, ipv4Address: '192.168.0.10' },
        { name: 'c9', network: 'nope', netns: c2 },
      ],
    );
    const r = await refusal((o) => client.apply({ spec: bad }, o));
    expect(r.code).toBe(Status.INVALID_ARGUMENT);
    const fields = r.violations.map((v) => v.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'spec.networks[0].subnets[0].gateway',
        'spec.networks[2].name',
        'spec.endpoints[1].network',
      ]),
    );
    expect(r.violations.every((v) => v.description !== '')).toBe(true);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a spec the host cannot take (a parent it lacks) with FAILED_PRECONDITION, and changes nothing', async () => {
    const before = await snapshot();
    const r = await refusal((o) =>
      client.apply(
        {
          spec: spec([
            { ...N1 },
            { name: 'n2', parent: 'eth9', subnets: [{ cidr: '10.9.0.0/24', gateway: '10.9.0.1' }] },
          ]),
        },
        o,
      ),
    );
    expect(r).toMatchObject({ code: Status.FAILED_PRECONDITION, message: expect.stringContaining('eth9') });
    expect(await snapshot()).toEqual(before);
  });

  it('replaces a network whose gateway changed, and its endpoints with it, keeping their MACs and addresses', async () => {
    const before = await client.listEndpoints({ network: 'n1' });
    const moved = spec(
      [{ ...N1, subnets: [{ ...SUBNET, gateway: '192.168.0.254' }] }],
      [
        { name: 'c1', network: 'n1', netns: c1, ipv4Address: '192.168.0.10' },
        { name: 'c2', network: 'n1', netns: c2 },
      ],
    );
    const { plan } = await client.apply({ spec: moved });
    expect(plan.map(describeStep)).toEqual([
      'REPLACE network n1',
      'REPLACE endpoint n1/c1',
      'REPLACE endpoint n1/c2',
    ]);
    expect(plan[0].reason).toContain('subnets[0].gateway: 192.168.0.1 → 192.168.0.254');
    const after = await client.listEndpoints({ network: 'n1' });
    const keep = (list: typeof before) =>
      list.endpoints.map((e) => [e.name, e.macAddress, e.ipv4Address, e.ipv6Address]);
    expect(keep(after)).toEqual(keep(before));
    expect(ipIn(c1, 'route', 'show', 'default')).toContain('via 192.168.0.254');
    // And back, for the tests that follow.
    await client.apply({ spec: twoContainers() });
  });

  it('deletes what the spec lacks: an endpoint gone from the spec is detached and its lease released', async () => {
    const { plan } = await client.apply({
      spec: spec([N1], [{ name: 'c1', network: 'n1', netns: c1, ipv4Address: '192.168.0.10' }]),
    });
    expect(plan.map(describeStep)).toEqual([
      'DELETE endpoint n1/c2',
      'KEEP network n1',
      'KEEP endpoint n1/c1',
    ]);
    expect(linksOf(c2).map((l) => (l as { ifname: string }).ifname)).toEqual(['lo']);
    await client.apply({ spec: twoContainers() });
  });

  it('leaves endpoints of another manager alone, and will not delete the network under them', async () => {
    await client.createEndpoint({
      endpoint: {
        name: 'cni1',
        network: 'n1',
        netns: c2,
        ifname: 'net1',
        labels: { 'mvnet.io/managed-by': 'cni' },
      } as never,
    });
    const { plan } = await client.apply({ spec: twoContainers(), dryRun: true });
    expect(plan.map(describeStep)).not.toContain('DELETE endpoint n1/cni1');
    const before = await snapshot();
    const r = await refusal((o) => client.apply({ spec: spec([]) }, o));
    expect(r.code).toBe(Status.FAILED_PRECONDITION);
    expect(r.message).toContain('cni1');
    expect(await snapshot()).toEqual(before);
    await client.deleteEndpoint({ network: 'n1', name: 'cni1' });
  });

  it('an empty spec deletes everything Apply manages', async () => {
    const { plan } = await client.apply({ spec: spec([]) });
    expect(plan.map(describeStep)).toEqual([
      'DELETE endpoint n1/c1',
      'DELETE endpoint n1/c2',
      'DELETE network n1',
    ]);
    expect((await client.listNetworks({})).networks).toEqual([]);
    expect(linksOf(c1).map((l) => (l as { ifname: string }).ifname)).toEqual(['lo']);
  });
});
