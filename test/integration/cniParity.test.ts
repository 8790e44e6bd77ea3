/**
 * Parity with the CNI macvlan plugin: the scenarios of its test suite that have a meaning for mvnet
 * (containernetworking/plugins, plugins/main/macvlan/macvlan_test.go; the table of what is replayed
 * and what is skipped, and why, is test/integration/CNI_PARITY.md), each run through both plugins
 * (test/support/cniParitySides.ts) executed exactly as a runtime executes them
 * (test/support/cniRuntime.ts), on real namespaces, asserting the same observable outcome: the link
 * in the container as the kernel has it, the result's shape, the error for a failure, idempotent DELs.
 * Where mvnet differs by design, each side's expectation is in BY_DESIGN below (and the error codes in
 * each side's missingNetnsCode and missingMaster), and said why.
 */
import crypto from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { deleteNetns } from '../../tools/netns';
import { type CniAttachment, type CniOutcome } from '../support/cniRuntime';
import {
  GATEWAY4,
  GATEWAY6,
  makeReferenceSide,
  type MacvlanModeName,
  type ParityNetwork,
  type ParitySide,
} from '../support/cniParitySides';
import { makeMvnetSide } from '../support/cniParityMvnetSide';
import { defaultGateway, macOf, readContainerLink } from '../support/containerLink';
import { ipIn, pings } from '../support/switchedHosts';
import { waitFor } from '../support/waitFor';

const ADDRESS4 = '192.168.0.10/24';
const ADDRESS6 = 'fd00::10/64';
const EXPLICIT_MAC = 'c2:11:22:33:44:55';
const MODES: MacvlanModeName[] = ['bridge', 'private', 'vepa', 'passthru'];

/** Where the plugins differ by design. */
const BY_DESIGN: Record<
  string,
  {
    passthruExplicitMac: 'ignored' | 'refused';
    addressesUnasked: number;
    lostLink: 'check-fails' | 'repaired';
  }
> = {
  // The kernel gives a passthru macvlan its parent's MAC; the CNI plugin asks for the other one,
  // the kernel ignores it, and the plugin reports what the link has. It always runs IPAM as
  // configured: `"ipam": {}` means an L2-only link without addresses. Nothing watches a link once
  // ADD made it: a link deleted behind its back stays gone, and CHECK says so.
  macvlan: { passthruExplicitMac: 'ignored', addressesUnasked: 0, lostLink: 'check-fails' },
  // mvnet refuses an explicit MAC on a passthru network (honouring it would change the parent
  // NIC's MAC), and every endpoint gets an address from the network's own IPAM when none is asked for.
  // The agent repairs an endpoint's link deleted behind its back (drift), with its MAC and address.
  'mvnet-cni': { passthruExplicitMac: 'refused', addressesUnasked: 1, lostLink: 'repaired' },
};

const SIDES: [string, () => Promise<ParitySide>][] = [
  ['macvlan', () => makeReferenceSide()],
  ['mvnet-cni', () => makeMvnetSide()],
];

describe.each(SIDES)('CNI parity: %s', (label, makeSide) => {
  let side: ParitySide;
  const made: { attachment: CniAttachment; ns: string; config: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    side = await makeSide();
  }, 60_000);

  afterAll(async () => {
    await side?.close();
  });

  afterEach(async () => {
    // DEL what a scenario left (DEL is idempotent), before its network goes and its netns is freed.
    for (const m of made.splice(0)) {
      await side.runtime.del(m.config, m.attachment);
      await deleteNetns(m.ns);
    }
    await side.dropNetworks();
  });

  /** A container netns and the attachment a runtime would make for it (eth0 in the container). */
  async function container(tag: string, args?: string): Promise<{ ns: string; attachment: CniAttachment }> {
    const ns = await side.lab.container(tag);
    const containerId = `${tag}-${crypto.randomBytes(8).toString('hex')}`;
    return { ns, attachment: { containerId, netns: `/var/run/netns/${ns}`, ifname: 'eth0', args } };
  }

  /** Makes the scenario's network and ADDs one container to it; expects success. */
  async function added(tag: string, spec: ParityNetwork, args?: string) {
    const { ns, attachment } = await container(tag, args);
    const config = await side.network(spec);
    made.push({ attachment, ns, config });
    const add = await side.runtime.add(config, attachment);
    expect({ exit: add.exitCode, error: add.error, stderr: add.stderr }).toEqual({
      exit: 0,
      error: undefined,
      stderr: expect.any(String),
    });
    return { ns, attachment, config, add };
  }

  /** The result's interface is the container's link as the kernel has it, in that sandbox. */
  function expectResultMatchesKernel(add: CniOutcome, ns: string, attachment: CniAttachment) {
    const link = readContainerLink(ns, attachment.ifname);
    expect(link).toBeDefined();
    const named = add.result!.interfaces!.filter((i) => i.name === attachment.ifname);
    expect(named).toHaveLength(1);
    expect(named[0]).toMatchObject({ mac: link!.mac, sandbox: attachment.netns });
    for (const ip of add.result!.ips ?? []) {
      expect(add.result!.interfaces![ip.interface!]).toBe(named[0]);
      expect(link!.addresses.map((a) => a.cidr)).toContain(ip.address);
    }
    return link!;
  }

  it.each(MODES)('ADDs, CHECKs and DELs a container in %s mode', async (mode) => {
    const { ns, attachment, config, add } = await added(`m${mode}`, { mode, addresses: [ADDRESS4] });
    const link = expectResultMatchesKernel(add, ns, attachment);
    expect(link).toMatchObject({ kind: 'macvlan', mode, up: true, mtu: 1500 });
    expect(link.addresses.map((a) => a.cidr)).toEqual([ADDRESS4]);
    expect(add.result!.ips).toEqual([
      { address: ADDRESS4, gateway: GATEWAY4, interface: expect.any(Number) },
    ]);
    expect(defaultGateway(ns, 4)).toBe(GATEWAY4);
    if (mode === 'passthru') expect(link.mac).toBe(macOf(side.host, 'eth0'));
    expect(pings(ns, GATEWAY4)).toBe(true);

    const check = await side.runtime.check(config, attachment);
    expect({ exit: check.exitCode, error: check.error }).toEqual({ exit: 0, error: undefined });

    const del = await side.runtime.del(config, attachment);
    expect({ exit: del.exitCode, error: del.error }).toEqual({ exit: 0, error: undefined });
    expect(readContainerLink(ns, 'eth0')).toBeUndefined();
  });

  it('after the container loses its link: CHECK fails (macvlan), or the agent repairs it (mvnet)', async () => {
    const { ns, attachment, config, add } = await added('lostlink', {
      mode: 'bridge',
      addresses: [ADDRESS4],
    });
    const before = readContainerLink(ns, 'eth0')!;
    ipIn(ns, 'link', 'del', 'eth0');
    if (BY_DESIGN[label].lostLink === 'repaired') {
      // Repaired means as it was: the same MAC, MTU, mode and address (it may come back in steps).
      await waitFor('the agent to repair eth0', () =>
        isDeepStrictEqual(readContainerLink(ns, 'eth0'), before),
      );
      expect(expectResultMatchesKernel(add, ns, attachment)).toEqual(before);
      const check = await side.runtime.check(config, attachment);
      expect({ exit: check.exitCode, error: check.error }).toEqual({ exit: 0, error: undefined });
    } else {
      const check = await side.runtime.check(config, attachment);
      expect(check.exitCode).not.toBe(0);
      expect(check.error).toMatchObject({ code: side.checkFailedCode, msg: expect.stringContaining('eth0') });
    }
  });

  it('gives the link the MTU asked for, below the master', async () => {
    const { ns, attachment, add } = await added('mtu', { mode: 'bridge', mtu: 1400, addresses: [ADDRESS4] });
    expect(expectResultMatchesKernel(add, ns, attachment).mtu).toBe(1400);
  });

  it('refuses an MTU above the master, and leaves no link behind', async () => {
    const { ns, attachment } = await container('bigmtu');
    const refusal = await side.refusal({ mode: 'bridge', mtu: 9000, addresses: [ADDRESS4] }, attachment);
    expect(refusal).toMatchObject({ message: expect.stringMatching(/mtu/i) });
    expect(readContainerLink(ns, 'eth0')).toBeUndefined();
    await deleteNetns(ns);
  });

  it.each<[string, { args?: string; runtimeMac?: string }]>([
    ['CNI_ARGS', { args: `IgnoreUnknown=1;MAC=${EXPLICIT_MAC}` }],
    ['runtimeConfig', { runtimeMac: EXPLICIT_MAC }],
  ])('gives the link the MAC from %s and reports it', async (_from, how) => {
    const { ns, attachment, add } = await added(
      'mac',
      { mode: 'bridge', addresses: [ADDRESS4], runtimeMac: how.runtimeMac },
      how.args,
    );
    expect(expectResultMatchesKernel(add, ns, attachment).mac).toBe(EXPLICIT_MAC);
  });

  it('in passthru mode, an explicit MAC is ignored (macvlan) or refused (mvnet): never the parent changed', async () => {
    const parentMac = macOf(side.host, 'eth0');
    const { ns, attachment } = await container('ptmac', `IgnoreUnknown=1;MAC=${EXPLICIT_MAC}`);
    const spec: ParityNetwork = { mode: 'passthru', addresses: [ADDRESS4] };
    made.push({ attachment, ns, config: await side.network(spec) });
    const out = await side.runtime.add(made[made.length - 1].config, attachment);
    if (BY_DESIGN[label].passthruExplicitMac === 'ignored') {
      expect(out.exitCode).toBe(0);
      expect(expectResultMatchesKernel(out, ns, attachment).mac).toBe(parentMac);
    } else {
      expect(out.error).toMatchObject({ code: 7, msg: expect.stringMatching(/passthru/) });
      expect(readContainerLink(ns, 'eth0')).toBeUndefined();
    }
    expect(macOf(side.host, 'eth0')).toBe(parentMac);
  });

  it.each([
    ['IPv6', [ADDRESS6]],
    ['dual stack', [ADDRESS4, ADDRESS6]],
  ])('configures %s, the IPv6 address usable (not tentative) when ADD returns', async (_what, addresses) => {
    const { ns, attachment, add } = await added('v6', { mode: 'bridge', addresses });
    const link = expectResultMatchesKernel(add, ns, attachment);
    expect(link.addresses.map((a) => a.cidr).sort()).toEqual([...addresses].sort());
    expect(link.addresses.filter((a) => a.tentative || a.dadfailed)).toEqual([]);
    expect((add.result!.ips ?? []).map((ip) => [ip.address, ip.gateway]).sort()).toEqual(
      addresses.map((a) => [a, a.includes(':') ? GATEWAY6 : GATEWAY4]).sort(),
    );
    expect(defaultGateway(ns, 6)).toBe(GATEWAY6);
    expect(defaultGateway(ns, 4)).toBe(addresses.includes(ADDRESS4) ? GATEWAY4 : undefined);
    expect(pings(ns, GATEWAY6)).toBe(true);
  });

  it('ADDs without addresses asked for: none (macvlan, ipam {}) or one from the network (mvnet)', async () => {
    const { ns, attachment, add } = await added('l2', { mode: 'bridge', addresses: [] });
    const link = expectResultMatchesKernel(add, ns, attachment);
    expect(link.up).toBe(true);
    expect(link.addresses).toHaveLength(BY_DESIGN[label].addressesUnasked);
    expect(add.result!.ips ?? []).toHaveLength(BY_DESIGN[label].addressesUnasked);
  });

  it('refuses an ADD whose master is missing, and leaves no link behind', async () => {
    // The master existed when the config (for mvnet: the network) was made, and went before the ADD.
    ipIn(side.host, 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth1p');
    const { ns, attachment } = await container('nomaster');
    const config = await side.network({ mode: 'bridge', parent: 'eth1', addresses: [ADDRESS4] });
    ipIn(side.host, 'link', 'del', 'eth1');
    const out = await side.runtime.add(config, attachment);
    expect(out.exitCode).not.toBe(0);
    expect(out.error).toMatchObject({
      code: side.missingMaster.code,
      msg: expect.stringMatching(side.missingMaster.msg),
    });
    expect(readContainerLink(ns, 'eth0')).toBeUndefined();
    await deleteNetns(ns);
  });

  it('refuses an ADD into a netns that does not exist', async () => {
    const { attachment } = await container('gone');
    const missing = { ...attachment, netns: `${attachment.netns}-missing` };
    const out = await side.runtime.add(
      await side.network({ mode: 'bridge', addresses: [ADDRESS4] }),
      missing,
    );
    expect(out.exitCode).not.toBe(0);
    expect(out.error).toMatchObject({ code: side.missingNetnsCode });
  });

  it('DELs twice: both succeed', async () => {
    const { ns, attachment, config } = await added('deltwice', { mode: 'bridge', addresses: [ADDRESS4] });
    for (let i = 0; i < 2; i++) {
      const del = await side.runtime.del(config, attachment);
      expect({ exit: del.exitCode, error: del.error }).toEqual({ exit: 0, error: undefined });
    }
    expect(readContainerLink(ns, 'eth0')).toBeUndefined();
  });

  it('DELs after the netns is gone', async () => {
    const { ns, attachment, config } = await added('delgone', { mode: 'bridge', addresses: [ADDRESS4] });
    await deleteNetns(ns);
    const del = await side.runtime.del(config, attachment);
    expect({ exit: del.exitCode, error: del.error }).toEqual({ exit: 0, error: undefined });
  });

  it('DELs what was never ADDed', async () => {
    const { ns, attachment } = await container('never');
    made.push({ attachment, ns, config: await side.network({ mode: 'bridge', addresses: [ADDRESS4] }) });
    const del = await side.runtime.del(made[made.length - 1].config, attachment);
    expect({ exit: del.exitCode, error: del.error }).toEqual({ exit: 0, error: undefined });
  });
});
