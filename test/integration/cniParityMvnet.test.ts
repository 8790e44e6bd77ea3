/**
 * What the parity scenarios (cniParity.test.ts) show of mvnet-cni that the CNI macvlan plugin has no
 * counterpart for, seen through the agent: the endpoint a runtime's ADD makes (its name and labels,
 * the MAC the agent reports, in passthru mode too), what DEL leaves of it, and mvnet's stable MAC.
 */
import crypto from 'node:crypto';
import { MacvlanMode, MvnetError } from '../../client/src';
import { deleteNetns } from '../../tools/netns';
import { makeMvnetSide, type MvnetParitySide } from '../support/cniParityMvnetSide';
import { type CniAttachment } from '../support/cniRuntime';
import { macOf, readContainerLink } from '../support/containerLink';

/** The endpoint name the contract gives an attachment: cni- and 20 hex digits of sha256(id/ifname). */
function endpointName(a: CniAttachment): string {
  return `cni-${crypto.createHash('sha256').update(`${a.containerId}/${a.ifname}`).digest('hex').slice(0, 20)}`;
}

describe('mvnet-cni through the agent', () => {
  let side: MvnetParitySide;

  beforeAll(async () => {
    side = await makeMvnetSide();
  }, 60_000);

  afterAll(async () => {
    await side?.close();
  });

  afterEach(async () => {
    await side.dropNetworks();
  });

  async function container(tag: string, args?: string) {
    const ns = await side.lab.container(tag);
    const containerId = `${tag}-${crypto.randomBytes(8).toString('hex')}`;
    return { ns, attachment: { containerId, netns: `/var/run/netns/${ns}`, ifname: 'eth0', args } };
  }

  it('makes an endpoint named and labelled for the attachment, gone after DEL', async () => {
    const { ns, attachment } = await container('labels');
    const config = await side.network({ mode: 'bridge', addresses: [] });
    const add = await side.runtime.add(config, attachment);
    expect(add.exitCode).toBe(0);
    const network = side.lastNetwork();
    const endpoint = await side.client.getEndpoint(network, endpointName(attachment));
    expect(endpoint.labels).toEqual({
      'mvnet.io/managed-by': 'cni',
      'cni.mvnet.io/container-id': attachment.containerId,
      'cni.mvnet.io/ifname': 'eth0',
      'cni.mvnet.io/network': network,
    });
    expect(endpoint.macAddress).toBe(readContainerLink(ns, 'eth0')!.mac);
    expect(add.result!.ips!.map((ip) => ip.address)).toEqual([`${endpoint.ipv4Address}/24`]);

    expect((await side.runtime.del(config, attachment)).exitCode).toBe(0);
    await expect(side.client.getEndpoint(network, endpointName(attachment))).rejects.toMatchObject({
      codeName: 'NOT_FOUND',
    });
  });

  it('releases the endpoint when DEL comes after the netns is gone', async () => {
    const { ns, attachment } = await container('gone');
    const config = await side.network({ mode: 'bridge', addresses: [] });
    expect((await side.runtime.add(config, attachment)).exitCode).toBe(0);
    await deleteNetns(ns);
    expect((await side.runtime.del(config, attachment)).exitCode).toBe(0);
    expect((await side.client.listEndpoints(side.lastNetwork())).endpoints).toEqual([]);
  });

  it('gives a container the same MAC and address again after DEL and ADD (the CNI plugin draws a new MAC)', async () => {
    const { ns, attachment } = await container('stable');
    const config = await side.network({ mode: 'bridge', addresses: [] });
    const first = await side.runtime.add(config, attachment);
    expect((await side.runtime.del(config, attachment)).exitCode).toBe(0);
    const again = await side.runtime.add(config, attachment);
    expect(again.result!.interfaces![0].mac).toBe(first.result!.interfaces![0].mac);
    expect(readContainerLink(ns, 'eth0')!.mac).toBe(first.result!.interfaces![0].mac);
    expect((await side.runtime.del(config, attachment)).exitCode).toBe(0);
  });

  it('reports the MAC a passthru link really has: its parent’s', async () => {
    const { ns, attachment } = await container('ptreport');
    const config = await side.network({ mode: 'passthru', addresses: [] });
    const add = await side.runtime.add(config, attachment);
    expect(add.exitCode).toBe(0);
    const parentMac = macOf(side.host, 'eth0');
    expect(readContainerLink(ns, 'eth0')!.mac).toBe(parentMac);
    expect(add.result!.interfaces![0].mac).toBe(parentMac);
    const endpoint = await side.client.getEndpoint(side.lastNetwork(), endpointName(attachment));
    expect(endpoint.macAddress).toBe(parentMac);
    expect((await side.runtime.del(config, attachment)).exitCode).toBe(0);
  });

  it('refuses an explicit MAC on a passthru network through the API, the parent untouched', async () => {
    const ns = await side.lab.container('ptapi');
    await side.network({ mode: 'passthru', addresses: [] });
    const parentMac = macOf(side.host, 'eth0');
    const attempt = side.client.createEndpoint({
      network: side.lastNetwork(),
      name: 'pinned',
      netns: ns,
      macAddress: 'c2:11:22:33:44:55',
    });
    await expect(attempt).rejects.toBeInstanceOf(MvnetError);
    await expect(attempt).rejects.toMatchObject({ codeName: 'INVALID_ARGUMENT', message: /passthru/ });
    expect(readContainerLink(ns, 'eth0')).toBeUndefined();
    expect(macOf(side.host, 'eth0')).toBe(parentMac);
    expect((await side.client.getNetwork(side.lastNetwork())).mode).toBe(MacvlanMode.MACVLAN_MODE_PASSTHRU);
  });
});
