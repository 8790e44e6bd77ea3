/**
 * mvnet-cni executed as a runtime executes it (CNI_* variables, the config on standard input) against a
 * real agent on a throwaway netns host: the labels of what it makes, GC leaving exactly the attachments
 * the runtime still lists, Apply leaving the plugin's endpoints alone, and the spec's error codes when
 * the agent cannot be reached (11, and 50 from STATUS), the netns is missing (3), or an Apply awaits
 * confirmation (11). (The CNI macvlan plugin's scenarios, replayed through both plugins, are in
 * cniParity.test.ts.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installMvnetCni } from '../support/cniPlugin';
import { CniRuntime, type CniCommand } from '../support/cniRuntime';
import { spawnAgent, type AgentProcess } from '../support/agentProcess';
import { rawAgent, spec, type RawAgent } from '../support/applyWire';
import { ipIn, makeSwitchedHosts, type SwitchedHosts } from '../support/switchedHosts';

const SUBNET = { cidr: '192.168.0.0/24', gateway: '192.168.0.1', ipRange: '', auxAddresses: {} };

describe('mvnet-cni against a real agent', () => {
  let lab: SwitchedHosts;
  let dir: string;
  let plugin: string;
  let agent: AgentProcess;
  let client: RawAgent;
  let socket: string;

  beforeAll(async () => {
    lab = await makeSwitchedHosts('cni', 1);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-cni-'));
    plugin = installMvnetCni(path.join(dir, 'bin'));
    socket = path.join(dir, 'agent.sock');
    agent = await spawnAgent({
      stateDir: path.join(dir, 'state'),
      netns: lab.hosts[0],
      listen: `unix://${socket}`,
    });
    client = rawAgent(`unix://${socket}`);
    await client.createNetwork({ network: { name: 'lan', parent: 'eth0', subnets: [SUBNET] } });
  });

  afterAll(async () => {
    client?.close();
    await agent?.stop();
    await lab?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** One execution of the plugin, as a runtime makes it: its exit status and its parsed standard output. */
  async function cni(
    command: CniCommand,
    env: { containerId?: string; netns?: string; ifname?: string; args?: string },
    config: Record<string, unknown>,
  ): Promise<{ code: number; out: Record<string, unknown> }> {
    const outcome = await new CniRuntime({ plugin }).exec(
      command,
      { cniVersion: '1.1.0', type: 'mvnet-cni', agent: `unix://${socket}`, ...config },
      { ...env, ifname: env.ifname ?? 'eth0' },
    );
    return { code: outcome.exitCode ?? -1, out: { ...(outcome.result ?? outcome.error) } };
  }

  const containerId = (n: number) => `${n}`.padStart(64, 'c');

  it('makes an endpoint labelled with its manager, the whole container id, the ifname and the CNI network', async () => {
    const netns = await lab.container('lab1');
    const add = await cni(
      'ADD',
      { containerId: containerId(1), netns: `/var/run/netns/${netns}` },
      { name: 'front', network: 'lan' },
    );
    expect(add.code).toBe(0);
    const { endpoints } = await client.listEndpoints({ network: 'lan' });
    const made = endpoints.find((e) => e.netns === `/var/run/netns/${netns}`)!;
    expect(made.name).toMatch(/^cni-[0-9a-f]{20}$/);
    expect(made.labels).toEqual({
      'mvnet.io/managed-by': 'cni',
      'cni.mvnet.io/container-id': containerId(1),
      'cni.mvnet.io/ifname': 'eth0',
      'cni.mvnet.io/network': 'front',
    });
    const link = JSON.parse(ipIn(netns, '-j', 'link', 'show', 'eth0'))[0];
    expect((add.out.interfaces as { mac: string }[])[0].mac).toBe(link.address);
    expect(
      await cni(
        'DEL',
        { containerId: containerId(1), netns: `/var/run/netns/${netns}` },
        { name: 'front', network: 'lan' },
      ),
    ).toMatchObject({ code: 0 });
  });

  it('GC removes the attachments of its CNI network the runtime no longer lists, and nothing else', async () => {
    const front = { name: 'front', network: 'lan' };
    const attached: string[] = [];
    for (const n of [11, 12, 13]) {
      const netns = await lab.container(`gc${n}`);
      attached.push(netns);
      expect(
        (await cni('ADD', { containerId: containerId(n), netns: `/var/run/netns/${netns}` }, front)).code,
      ).toBe(0);
    }
    // Another CNI network's attachment, and an endpoint made through the API, on the same mvnet network.
    const other = await lab.container('gcother');
    expect(
      await cni(
        'ADD',
        { containerId: containerId(14), netns: `/var/run/netns/${other}` },
        { name: 'back', network: 'lan' },
      ),
    ).toMatchObject({ code: 0 });
    const byHand = await lab.container('gchand');
    await client.createEndpoint({ endpoint: { network: 'lan', name: 'by-hand', netns: byHand } });

    const gc = await cni(
      'GC',
      {},
      { ...front, 'cni.dev/valid-attachments': [{ containerID: containerId(12), ifname: 'eth0' }] },
    );
    expect(gc).toEqual({ code: 0, out: {} });
    const left = (await client.listEndpoints({ network: 'lan' })).endpoints.map(
      (e) => e.labels['cni.mvnet.io/container-id'] ?? e.name,
    );
    expect(left.sort()).toEqual(['by-hand', containerId(12), containerId(14)].sort());
    expect(() => ipIn(attached[0], 'link', 'show', 'eth0')).toThrow();
    expect(ipIn(attached[1], '-br', 'link', 'show', 'eth0')).toContain('eth0');
    // GC without the runtime's list is refused, not taken as "none is valid".
    expect(await cni('GC', {}, front)).toMatchObject({ code: 1, out: { code: 7 } });
    expect((await client.listEndpoints({ network: 'lan' })).endpoints).toHaveLength(3);
  });

  it("is left alone by Apply, which deletes only what is Apply's", async () => {
    const before = (await client.listEndpoints({ network: 'lan' })).endpoints.filter(
      (e) => e.labels['mvnet.io/managed-by'] === 'cni',
    );
    await client.apply({ spec: spec([{ name: 'lan', parent: 'eth0', subnets: [SUBNET] }], []) });
    const after = (await client.listEndpoints({ network: 'lan' })).endpoints;
    expect(after.map((e) => e.name).sort()).toEqual(before.map((e) => e.name).sort());
    expect(after.some((e) => e.name === 'by-hand')).toBe(false);
  });

  it("answers with the spec's codes: 3 for a missing netns, 11 and 50 when the agent is unreachable, 11 while an Apply awaits confirmation", async () => {
    const front = { name: 'front', network: 'lan' };
    const netns = await lab.container('codes');
    expect(
      await cni('ADD', { containerId: containerId(21), netns: '/var/run/netns/mvt-nosuch' }, front),
    ).toMatchObject({
      code: 1,
      out: { code: 3, msg: expect.stringContaining('does not exist') },
    });
    const away = { ...front, agent: `unix://${path.join(dir, 'nobody.sock')}` };
    expect(
      await cni('ADD', { containerId: containerId(21), netns: `/var/run/netns/${netns}` }, away),
    ).toMatchObject({ code: 1, out: { code: 11 } });
    expect(await cni('STATUS', {}, away)).toMatchObject({ code: 1, out: { code: 50 } });
    expect(await cni('STATUS', {}, front)).toEqual({ code: 0, out: {} });
    expect(
      await cni('ADD', { containerId: containerId(21), netns: `/var/run/netns/${netns}` }, { name: 'nonet' }),
    ).toMatchObject({
      code: 1,
      out: { code: 7, msg: 'network nonet not found' },
    });

    // A change to confirm (a label), so that the Apply waits for its confirmation.
    const { applyId } = await client.apply({
      spec: spec([{ name: 'lan', parent: 'eth0', subnets: [SUBNET], labels: { pending: 'yes' } }], []),
      confirmWithin: { seconds: 60, nanos: 0 },
    });
    try {
      expect(
        await cni('ADD', { containerId: containerId(21), netns: `/var/run/netns/${netns}` }, front),
      ).toMatchObject({
        code: 1,
        out: { code: 11, msg: expect.stringContaining('awaits confirmation') },
      });
    } finally {
      await client.cancelApply({ applyId });
    }
    expect(
      (await cni('ADD', { containerId: containerId(21), netns: `/var/run/netns/${netns}` }, front)).code,
    ).toBe(0);
  });
});
