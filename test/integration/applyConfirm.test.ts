/**
 * Commit-confirmed Apply on this kernel: a change made with confirm_within stays only once ConfirmApply
 * says so. Unconfirmed by its deadline, or cancelled, it is rolled back (one revision), MACs and leases
 * included; the deadline survives a restart of the agent; while it runs, other changes are refused.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Status } from 'nice-grpc';
import { EndpointState } from '../../proto/gen/mvnet/v1/endpoint';
import { Network } from '../../proto/gen/mvnet/v1/network';
import { addNetns, addVethPair, deleteNetns } from '../../tools/netns';
import { uniqueNetnsName } from '../support/netnsPrefix';
import { spawnAgent, type AgentProcess } from '../support/agentProcess';
import { rawAgent, refusal, spec, type RawAgent } from '../support/applyWire';
import { ipIn, makeSwitchedHosts, pings, type SwitchedHosts } from '../support/switchedHosts';
import { waitFor } from '../support/waitFor';

const N1 = { name: 'n1', parent: 'eth0', subnets: [{ cidr: '192.168.0.0/24', gateway: '192.168.0.1' }] };
const MOVED = { ...N1, subnets: [{ cidr: '192.168.0.0/24', gateway: '192.168.0.254' }] };
const WINDOW = { seconds: 2, nanos: 0 };

describe('Apply with confirm_within', () => {
  let lab: SwitchedHosts;
  let dir: string;
  let agent: AgentProcess;
  let client: RawAgent;
  let c1: string;
  let dead: string;

  const at = (network: typeof N1) => spec([network], [{ name: 'c1', network: 'n1', netns: c1 }]);
  const gatewayOf = async () => (await client.getNetwork({ name: 'n1' })).network!.subnets[0].gateway;
  const defaultRoute = () => ipIn(c1, 'route', 'show', 'default').trim();
  /** The endpoint as a rollback must bring it back. */
  const endpoint = async () => {
    const { endpoint: e } = await client.getEndpoint({ network: 'n1', name: 'c1' });
    const [link] = JSON.parse(ipIn(c1, '-j', 'link', 'show', 'eth0')) as { address: string }[];
    return { mac: e!.macAddress, ipv4: e!.ipv4Address, ipv6: e!.ipv6Address, kernelMac: link.address };
  };

  async function start() {
    agent = await spawnAgent({ stateDir: dir, netns: lab.hosts[0] });
    client = rawAgent(agent.address);
  }

  beforeAll(async () => {
    lab = await makeSwitchedHosts('aplw', 1);
    // eth1: a second NIC of the host, plugged into a switch where nothing answers (no gateway there).
    dead = uniqueNetnsName('aplwdead');
    await addNetns(dead);
    await addVethPair('eth1', lab.hosts[0], 'port1', dead);
    ipIn(lab.hosts[0], 'link', 'set', 'eth1', 'up');
    ipIn(dead, 'link', 'set', 'port1', 'up');
    c1 = await lab.container('c1');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-aplw-'));
    await start();
    await client.apply({ spec: at(N1) });
  });

  afterAll(async () => {
    client?.close();
    await agent?.stop();
    await lab?.cleanup();
    if (dead) await deleteNetns(dead);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    const { pendingApply } = await client.getHost({});
    if (pendingApply) await client.cancelApply({ applyId: pendingApply.applyId });
    await client.apply({ spec: at(N1) });
  });

  it('rolls an unconfirmed change back at its deadline: one revision, the MAC and lease kept', async () => {
    const before = await endpoint();
    const { applyId, revision } = await client.apply({ spec: at(MOVED), confirmWithin: WINDOW });
    expect(applyId).toMatch(/^[0-9a-f]{16}$/);
    expect(defaultRoute()).toContain('via 192.168.0.254');
    const { pendingApply } = await client.getHost({});
    expect(pendingApply).toMatchObject({ applyId, revision });
    await waitFor('the rollback', async () => (await client.getHost({})).pendingApply === undefined);
    expect(await gatewayOf()).toBe('192.168.0.1');
    expect(defaultRoute()).toContain('via 192.168.0.1');
    expect(await endpoint()).toEqual(before);
    expect((await client.getHost({})).revision).toBe(revision + 1);
    const late = await refusal((o) => client.confirmApply({ applyId }, o));
    expect(late.code).toBe(Status.FAILED_PRECONDITION);
    expect(late.message).toMatch(
      new RegExp(
        `^apply ${applyId} was rolled back at revision ${revision + 1}: not confirmed by its deadline`,
      ),
    );
  });

  it('keeps a confirmed change; the confirmation makes no revision, and a later cancel is refused', async () => {
    const { applyId, revision } = await client.apply({ spec: at(MOVED), confirmWithin: WINDOW });
    expect(await client.confirmApply({ applyId })).toEqual({ revision });
    expect((await client.getHost({})).pendingApply).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 2500)); // past the deadline it no longer has
    expect(await gatewayOf()).toBe('192.168.0.254');
    expect((await client.getHost({})).revision).toBe(revision);
    expect(await client.confirmApply({ applyId })).toEqual({ revision }); // a retried confirm is fine
    const r = await refusal((o) => client.cancelApply({ applyId }, o));
    expect(r.code).toBe(Status.FAILED_PRECONDITION);
    expect(r.message).toContain('was confirmed');
  });

  it('rolls back at once on CancelApply, returning the revision of the rollback', async () => {
    const { applyId, revision } = await client.apply({
      spec: at(MOVED),
      confirmWithin: { seconds: 600, nanos: 0 },
    });
    expect(await client.cancelApply({ applyId })).toEqual({ revision: revision + 1 });
    expect(await gatewayOf()).toBe('192.168.0.1');
    expect(defaultRoute()).toContain('via 192.168.0.1');
  });

  it('rolls back at once when a probe that passed before fails after: the gateway no longer answers', async () => {
    const before = await client.getHost({});
    const r = await refusal((o) =>
      client.apply({ spec: at({ ...N1, parent: 'eth1' }), confirmWithin: { seconds: 600, nanos: 0 } }, o),
    );
    expect(r.code).toBe(Status.ABORTED);
    expect(r.message).toMatch(
      /^apply [0-9a-f]{16}: probe failed after the change: gateway 192\.168\.0\.1 of network n1 answers ARP \(it passed before the change\); rolled back at revision \d+$/,
    );
    const after = await client.getHost({});
    expect(after.pendingApply).toBeUndefined();
    expect(after.revision).toBe(before.revision + 2); // the change, and its rollback
    expect((await client.getNetwork({ name: 'n1' })).network!.parent).toBe('eth0');
    expect(pings(c1, '192.168.0.1')).toBe(true);
  });

  it('with probe_gateways, a new network whose gateway does not answer is rolled back; without, it stays', async () => {
    const n2 = { name: 'n2', parent: 'eth1', subnets: [{ cidr: '10.50.0.0/24', gateway: '10.50.0.1' }] };
    const both = spec([N1, n2], [{ name: 'c1', network: 'n1', netns: c1 }]);
    const r = await refusal((o) =>
      client.apply({ spec: both, confirmWithin: { seconds: 600, nanos: 0 }, probeGateways: true }, o),
    );
    expect(r.code).toBe(Status.ABORTED);
    expect(r.message).toContain('gateway 10.50.0.1 of network n2 answers ARP (probe_gateways)');
    expect((await client.listNetworks({})).networks.map((n) => n.name)).toEqual(['n1']);
    const { applyId } = await client.apply({ spec: both, confirmWithin: { seconds: 600, nanos: 0 } });
    expect(applyId).not.toBe('');
    expect((await client.listNetworks({})).networks.map((n) => n.name)).toEqual(['n1', 'n2']);
  });

  it('brings an endpoint whose container went away during the window back LOST, with its lease and MAC', async () => {
    const gone = await lab.container('gone');
    const withGone = (network: typeof N1) =>
      spec(
        [network],
        [
          { name: 'c1', network: 'n1', netns: c1 },
          { name: 'gone', network: 'n1', netns: gone },
        ],
      );
    await client.apply({ spec: withGone(N1) });
    const { endpoint: was } = await client.getEndpoint({ network: 'n1', name: 'gone' });
    const { applyId, revision } = await client.apply({
      spec: withGone(MOVED),
      confirmWithin: { seconds: 600, nanos: 0 },
    });
    await deleteNetns(gone);
    // The agent may mark the endpoint LOST on its own first (a revision of its own): the rollback's
    // revision is the host's latest either way.
    const cancelled = await client.cancelApply({ applyId });
    expect(cancelled.revision).toBeGreaterThan(revision);
    expect((await client.getHost({})).revision).toBe(cancelled.revision);
    const { endpoint: back } = await client.getEndpoint({ network: 'n1', name: 'gone' });
    expect(back!.status?.state).toBe(EndpointState.ENDPOINT_STATE_LOST);
    expect([back!.macAddress, back!.ipv4Address]).toEqual([was!.macAddress, was!.ipv4Address]);
    expect(await gatewayOf()).toBe('192.168.0.1');
    expect(defaultRoute()).toContain('via 192.168.0.1');
  });

  it('refuses other changes while it awaits confirmation, naming it (and ErrorInfo its reason); the same spec again gets its id back', async () => {
    const { applyId } = await client.apply({ spec: at(MOVED), confirmWithin: { seconds: 600, nanos: 0 } });
    const mutations = [
      (o: object) => client.createNetwork({ network: Network.fromPartial({ ...N1, name: 'n2' }) }, o),
      (o: object) => client.deleteNetwork({ name: 'n1', force: true }, o),
      (o: object) => client.deleteEndpoint({ network: 'n1', name: 'c1' }, o),
      (o: object) => client.apply({ spec: at(N1) }, o),
    ];
    for (const mutation of mutations) {
      const r = await refusal(mutation);
      expect(r.code).toBe(Status.FAILED_PRECONDITION);
      expect(r.message).toContain(`apply ${applyId} awaits confirmation until`);
      // The reason a program acts on, beside the message, which is for a person.
      expect(r.errorInfo).toEqual({
        reason: 'APPLY_AWAITS_CONFIRMATION',
        domain: 'mvnet.io',
        metadata: { apply_id: applyId, deadline: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) },
      });
    }
    expect((await client.apply({ spec: at(MOVED), confirmWithin: { seconds: 600, nanos: 0 } })).applyId).toBe(
      applyId,
    );
    expect((await client.listEndpoints({ network: 'n1' })).endpoints).toHaveLength(1); // reads go on
  });

  it('keeps its deadline across a restart of the agent, and rolls back after it', async () => {
    const { applyId } = await client.apply({ spec: at(MOVED), confirmWithin: { seconds: 4, nanos: 0 } });
    const { pendingApply } = await client.getHost({});
    client.close();
    await agent.stop();
    await start();
    expect((await client.getHost({})).pendingApply).toEqual(pendingApply);
    expect(await gatewayOf()).toBe('192.168.0.254');
    await waitFor('the rollback', async () => (await client.getHost({})).pendingApply === undefined);
    expect(await gatewayOf()).toBe('192.168.0.1');
    const r = await refusal((o) => client.confirmApply({ applyId }, o));
    expect(r.code).toBe(Status.FAILED_PRECONDITION);
  });

  it('rolls back at start when the deadline passed while the agent was down', async () => {
    const { applyId, revision } = await client.apply({
      spec: at(MOVED),
      confirmWithin: { seconds: 1, nanos: 0 },
    });
    client.close();
    await agent.kill(); // at once: the timer must not fire before the agent is gone
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await start();
    expect((await client.getHost({})).pendingApply).toBeUndefined();
    expect(await gatewayOf()).toBe('192.168.0.1');
    expect(defaultRoute()).toContain('via 192.168.0.1');
    const r = await refusal((o) => client.confirmApply({ applyId }, o));
    expect(r.message).toContain(
      `was rolled back at revision ${revision + 1}: its deadline passed while the agent was down`,
    );
  });
});
