/**
 * The agent's network half on a real kernel (runs inside user-mode Linux): 802.1q sub-interfaces created,
 * marked, shared and removed; bonds and VLANs on bonds as parents; internal networks on dummy links;
 * passthru exclusivity.
 */
import path from 'node:path';
import { Status } from 'nice-grpc';
import {
  AgentClient,
  LinkOwner,
  MacvlanMode,
  MvnetError,
  NetworkState,
  type NetworkSpec,
} from '../../client/src';
import { spawnAgent, type AgentProcess } from '../support/agentProcess';
import { buildLabHost, ip, linkIn, removeLabHost } from './labHost';

const NS = 'mvt-labnet';

function net(name: string, parent: string, n: number, extra: Partial<NetworkSpec> = {}): NetworkSpec {
  return {
    name,
    parent,
    subnets: [{ cidr: `10.${n}.0.0/24`, gateway: `10.${n}.0.1`, ipRange: '', auxAddresses: {} }],
    ...extra,
  };
}

/**
 * The links of the lab host, without `operstate`: the kernel sets that on its own, up to a second
 * after a link came up (linkwatch), so a link just created may go from UNKNOWN to UP meanwhile.
 */
function linksNow(): unknown[] {
  const links = JSON.parse(ip('-n', NS, '-d', '-j', 'link', 'show')) as Record<string, unknown>[];
  return links.map(({ operstate: _operstate, ...link }) => link);
}

async function refusal(run: () => Promise<unknown>): Promise<MvnetError> {
  const before = linksNow();
  const err = await run().then(
    () => new Error('expected a refusal'),
    (e: unknown) => e,
  );
  if (!(err instanceof MvnetError)) throw err;
  expect(linksNow()).toEqual(before);
  return err;
}

describe('networks on a real kernel with 802.1q, dummy and bonding', () => {
  let agent: AgentProcess;
  let client: AgentClient;

  beforeAll(async () => {
    removeLabHost(NS);
    buildLabHost(NS);
    agent = await spawnAgent({
      stateDir: path.join(process.env.MVNET_LAB_STATE ?? '/tmp', 'networks-agent'),
      netns: NS,
    });
    client = new AgentClient({ host: agent.address });
  });

  afterAll(async () => {
    client?.close();
    await agent?.stop();
    removeLabHost(NS);
  });

  it('probes every capability on this kernel', async () => {
    const { host } = await client.getHost();
    expect(host.capabilities).toEqual({
      vlan8021q: true,
      macvlan: true,
      dummy: true,
      bonding: true,
      vlanFilteringBridge: true,
    });
  });

  it('creates eth0.10 as VLAN 10 on eth0, up and marked as its own', async () => {
    const { network } = await client.createNetwork(net('macvlan10', 'eth0.10', 10));
    expect(network.status).toMatchObject({
      parentLink: 'eth0.10',
      parentLinkOwned: true,
      state: NetworkState.NETWORK_STATE_READY,
    });
    const link = linkIn(NS, 'eth0.10')!;
    expect(link.linkinfo.info_kind).toBe('vlan');
    expect(link.linkinfo.info_data.id).toBe(10);
    expect(link.link).toBe('eth0');
    expect(link.flags).toContain('UP');
    expect(link.ifalias).toBe('mvnet:macvlan10');
    const { host } = await client.getHost();
    expect(host.interfaces.find((i) => i.name === 'eth0.10')).toMatchObject({
      kind: 'vlan',
      vlanId: 10,
      parent: 'eth0',
      owner: LinkOwner.LINK_OWNER_MVNET,
    });
  });

  it('takes parent eth0 with vlan_id 10 as the same network', async () => {
    const again = await client.createNetwork(net('macvlan10', 'eth0', 10, { vlanId: 10 }));
    expect(again.network.parent).toBe('eth0.10');
  });

  it('keeps eth0.10 while another network uses it, and removes it with the last one', async () => {
    await client.createNetwork(net('macvlan10b', 'eth0.10', 11));
    await client.deleteNetwork('macvlan10');
    expect(linkIn(NS, 'eth0.10')).toBeDefined();
    await client.deleteNetwork('macvlan10b');
    expect(linkIn(NS, 'eth0.10')).toBeUndefined();
    expect(linkIn(NS, 'eth0')).toBeDefined();
  });

  it('never removes a sub-interface that existed before it', async () => {
    ip('-n', NS, 'link', 'add', 'link', 'eth0', 'name', 'eth0.20', 'type', 'vlan', 'id', '20');
    const { network } = await client.createNetwork(net('macvlan20', 'eth0.20', 20));
    expect(network.status!.parentLinkOwned).toBe(false);
    await client.deleteNetwork('macvlan20');
    expect(linkIn(NS, 'eth0.20')).toBeDefined();
  });

  it('refuses an existing eth0.30 that is not VLAN 30 on eth0 with FAILED_PRECONDITION', async () => {
    ip('-n', NS, 'link', 'add', 'link', 'eth0', 'name', 'eth0.30', 'type', 'vlan', 'id', '31');
    const err = await refusal(() => client.createNetwork(net('n30', 'eth0.30', 30)));
    expect(err.code).toBe(Status.FAILED_PRECONDITION);
    expect(err.details).toContain('eth0.30 exists but is not VLAN 30 on eth0 (it is VLAN 31 on eth0)');
  });

  it('refuses eth9.10 when eth9 is missing with FAILED_PRECONDITION', async () => {
    const err = await refusal(() => client.createNetwork(net('n9', 'eth9.10', 9)));
    expect(err.code).toBe(Status.FAILED_PRECONDITION);
    expect(err.details).toContain('parent eth9 of sub-interface eth9.10 does not exist');
  });

  it('refuses eth0.10 with vlan_id 20 with INVALID_ARGUMENT', async () => {
    const err = await refusal(() => client.createNetwork(net('n10', 'eth0.10', 12, { vlanId: 20 })));
    expect(err.code).toBe(Status.INVALID_ARGUMENT);
    expect(err.details).toContain('network.vlan_id');
  });

  it('takes a bond as parent, and creates a VLAN on the bond', async () => {
    const onBond = await client.createNetwork(net('bonded', 'bond0', 40));
    expect(onBond.network.status).toMatchObject({
      parentLink: 'bond0',
      parentLinkOwned: false,
      state: NetworkState.NETWORK_STATE_READY,
    });
    const onVlan = await client.createNetwork(net('bond30', 'bond0.30', 30));
    expect(onVlan.network.vlanId).toBe(30);
    const link = linkIn(NS, 'bond0.30')!;
    expect(link.linkinfo.info_data.id).toBe(30);
    expect(link.link).toBe('bond0');
    expect(link.flags).toContain('UP');
    await client.deleteNetwork('bond30');
    await client.deleteNetwork('bonded');
    expect(linkIn(NS, 'bond0.30')).toBeUndefined();
    expect(linkIn(NS, 'bond0')).toBeDefined();
  });

  it('gives an internal network a dummy link of its own, removed with it', async () => {
    const { network } = await client.createNetwork(net('iso', '', 50));
    expect(network.internal).toBe(true);
    const dummy = linkIn(NS, network.status!.parentLink)!;
    expect(dummy.linkinfo.info_kind).toBe('dummy');
    expect(dummy.ifalias).toBe('mvnet:iso');
    expect(dummy.flags).toContain('UP');
    await client.deleteNetwork('iso');
    expect(linkIn(NS, network.status!.parentLink)).toBeUndefined();
  });

  it('gives a passthru network its sub-interface alone', async () => {
    const { network } = await client.createNetwork(
      net('pt', 'eth0.60', 60, { mode: MacvlanMode.MACVLAN_MODE_PASSTHRU }),
    );
    expect(network.mode).toBe(MacvlanMode.MACVLAN_MODE_PASSTHRU);
    const err = await refusal(() => client.createNetwork(net('pt2', 'eth0.60', 61)));
    expect(err.code).toBe(Status.FAILED_PRECONDITION);
    expect(err.details).toContain('taken by passthru network pt');
    await client.deleteNetwork('pt');
    expect(linkIn(NS, 'eth0.60')).toBeUndefined();
  });
});
