/**
 * An Apply that fails at a kernel step (MVNET_FAULT_FAIL_AT) is undone on the spot; one whose agent is
 * killed at a step (MVNET_FAULT_KILL_AT, SIGKILL) is undone at the next start. Either way the kernel
 * and the state are as before the Apply, to the MAC and the address, and the same Apply then succeeds.
 * The Apply under test takes six kernel steps: detach c1, remove n1, create n1 again (its gateway
 * changed), create n2, attach c1, attach c2.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Status } from 'nice-grpc';
import { addNetns, deleteNetns } from '../../tools/netns';
import { spawnAgent, type AgentProcess } from '../support/agentProcess';
import { describeStep, rawAgent, refusal, spec, type RawAgent } from '../support/applyWire';
import { makeNetnsHost, type NetnsHost } from '../support/netnsHost';
import { uniqueNetnsName } from '../support/netnsPrefix';
import { ipIn } from '../support/switchedHosts';

const N1 = {
  name: 'n1',
  parent: 'eth0',
  hostAccess: true,
  subnets: [{ cidr: '10.77.0.0/24', gateway: '10.77.0.1' }],
};
const N2 = { name: 'n2', parent: 'eth0', subnets: [{ cidr: '10.78.0.0/24', gateway: '10.78.0.1' }] };

/** What "as before" compares in a netns: each link's name, kind, MAC and alias; addresses; routes. */
function kernelOf(ns: string) {
  const links = JSON.parse(ipIn(ns, '-d', '-j', 'addr', 'show')) as {
    ifname: string;
    address: string;
    ifalias?: string;
    linkinfo?: { info_kind?: string };
    addr_info: { local: string; prefixlen: number; scope: string }[];
  }[];
  return {
    links: links
      .map((l) => ({
        ifname: l.ifname,
        kind: l.linkinfo?.info_kind,
        mac: l.address,
        alias: l.ifalias,
        addresses: l.addr_info.filter((a) => a.scope !== 'link').map((a) => `${a.local}/${a.prefixlen}`),
      }))
      .sort((a, b) => a.ifname.localeCompare(b.ifname)),
    routes: ipIn(ns, 'route', 'show').trim().split('\n').sort(),
  };
}

describe('an Apply failed or killed at each kernel step', () => {
  let host: NetnsHost;
  let dir: string;
  let c1: string;
  let c2: string;
  let agent: AgentProcess | undefined;
  let client: RawAgent | undefined;
  let run = 0;

  const before = () => spec([N1], [{ name: 'c1', network: 'n1', netns: c1, ipv4Address: '10.77.0.20' }]);
  const after = () =>
    spec(
      [{ ...N1, subnets: [{ cidr: '10.77.0.0/24', gateway: '10.77.0.254' }] }, N2],
      [
        { name: 'c1', network: 'n1', netns: c1, ipv4Address: '10.77.0.20' },
        { name: 'c2', network: 'n2', netns: c2 },
      ],
    );

  async function start(stateDir: string, env: Record<string, string> = {}) {
    client?.close();
    agent = await spawnAgent({ stateDir, netns: host.ns, env });
    client = rawAgent(agent.address);
    return client;
  }

  /** The host as the kernel and a client see it. */
  async function observed(c: RawAgent) {
    const { networks } = await c.listNetworks({});
    const { endpoints } = await c.listEndpoints({ network: '' });
    return {
      host: kernelOf(host.ns),
      c1: kernelOf(c1),
      c2: kernelOf(c2),
      networks: networks.map(({ status: _s, ...n }) => n),
      endpoints: endpoints.map(({ status, ...e }) => ({ ...e, state: status?.state })),
    };
  }

  /** A fresh host with the `before` spec applied; returns how it looks. */
  async function prepared(env: Record<string, string>) {
    const stateDir = path.join(dir, `run-${run++}`);
    const setup = await start(stateDir);
    await setup.apply({ spec: before() });
    const looks = await observed(setup);
    await agent!.stop();
    return { stateDir, looks, faulty: await start(stateDir, env) };
  }

  beforeAll(async () => {
    host = await makeNetnsHost('aplc');
    c1 = uniqueNetnsName('aplc1');
    c2 = uniqueNetnsName('aplc2');
    await addNetns(c1);
    await addNetns(c2);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-aplc-'));
  });
  afterEach(async () => {
    client?.close();
    if (agent) {
      const dying = agent;
      const { networks } = await rawAgent(dying.address)
        .listNetworks({})
        .catch(() => ({ networks: [] }));
      if (networks.length > 0)
        await rawAgent(dying.address)
          .apply({ spec: spec([]) })
          .catch(() => undefined);
      await dying.kill();
    }
    agent = client = undefined;
  });
  afterAll(async () => {
    await deleteNetns(c1);
    await deleteNetns(c2);
    await host.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('plans the six steps this file counts on', async () => {
    const { faulty } = await prepared({});
    const { plan } = await faulty.apply({ spec: after(), dryRun: true });
    expect(plan.map(describeStep)).toEqual([
      'REPLACE network n1',
      'REPLACE endpoint n1/c1',
      'CREATE network n2',
      'CREATE endpoint n2/c2',
    ]);
  });

  it.each([2, 3, 4, 5, 6])(
    'failing at step %i undoes the steps before it: ABORTED, nothing changed',
    async (step) => {
      const { looks, faulty } = await prepared({ MVNET_FAULT_FAIL_AT: `apply-step#${step}` });
      const r = await refusal((o) => faulty.apply({ spec: after() }, o));
      expect(r.code).toBe(Status.ABORTED);
      expect(r.message).toMatch(new RegExp(`^step ${step} of 6 \\(.+\\) failed: injected failure`));
      expect(r.message).toContain(`the ${step - 1} step(s) before it were undone, nothing changed`);
      expect(await observed(faulty)).toEqual(looks);
      // The fault fired once: the same Apply now goes through.
      await faulty.apply({ spec: after() });
      expect((await observed(faulty)).endpoints.map((e) => e.name)).toEqual(['c1', 'c2']);
    },
  );

  it.each([
    ['apply-step#1', {}],
    ['apply-step#2', {}],
    ['apply-step#3', {}],
    ['apply-step#4', {}],
    ['apply-step#5', {}],
    ['apply-step#6', {}],
    ['apply-before-commit', {}],
    ['rollback-step#2', { MVNET_FAULT_FAIL_AT: 'apply-step#5' }],
  ])('killed at %s: the next start undoes it; kernel and state are as before', async (fault, more) => {
    const { stateDir, looks, faulty } = await prepared({ MVNET_FAULT_KILL_AT: fault, ...more });
    const err = await faulty.apply({ spec: after() }).then(
      () => undefined,
      (e: { code: number }) => e,
    );
    expect(err?.code).toBe(Status.UNAVAILABLE);
    expect(await agent!.ended).toEqual({ code: null, signal: 'SIGKILL' });
    const restarted = await start(stateDir);
    expect(await observed(restarted)).toEqual(looks);
    await restarted.apply({ spec: after() });
    expect((await observed(restarted)).endpoints.map((e) => [e.name, e.ipv4Address])).toEqual([
      ['c1', '10.77.0.20'],
      ['c2', '10.78.0.2'],
    ]);
  });
});
