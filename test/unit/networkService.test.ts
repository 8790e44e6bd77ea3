import { AlreadyExistsError, NotFoundError, PreconditionError } from '../../agent/src/domain/errors';
import { MemoryDriver } from '../../agent/src/kernel/memory/MemoryDriver';
import { makeMemoryHost, networkInput, subnet24, THIS_MACHINE, type MemoryHost } from '../support/memoryHost';

describe('NetworkService on the in-memory kernel', () => {
  let host: MemoryHost;
  beforeEach(async () => {
    host = await makeMemoryHost();
  });
  afterEach(() => host.close());

  /** Runs a request that must be refused, and checks that it changed neither kernel nor state. */
  async function expectRefusedUnchanged(
    run: () => Promise<unknown>,
    type: new (...args: never[]) => Error,
    words: string,
  ): Promise<void> {
    const links = await host.driver.listLinks();
    const revision = host.store.revision();
    const changes = host.driver.changes.length;
    await expect(run()).rejects.toThrow(type);
    await expect(run()).rejects.toThrow(words);
    expect(await host.driver.listLinks()).toEqual(links);
    expect(host.store.revision()).toBe(revision);
    expect(host.driver.changes.length).toBe(changes);
  }

  it('creates eth0.10, marked as its own and up, for a network on eth0.10', async () => {
    const { network, revision } = await host.networks.createNetwork(networkInput());
    expect(revision).toBe(1);
    expect(network.status).toMatchObject({
      state: 'ready',
      parentLink: 'eth0.10',
      parentLinkOwned: true,
      revision: 1,
    });
    expect(await host.driver.getLink('eth0.10')).toMatchObject({
      kind: 'vlan',
      vlanId: 10,
      parent: 'eth0',
      adminUp: true,
      alias: 'mvnet:macvlan10',
    });
  });

  it('refuses a parent that is not an Ethernet link, as the loopback', async () => {
    host.driver.addLinkBehindBack({ name: 'lo0', linkType: 'loopback', mtu: 65536 });
    await expectRefusedUnchanged(
      () => host.networks.createNetwork(networkInput({ parent: 'lo0', subnets: subnet24(9) })),
      PreconditionError,
      'parent lo0 is not an Ethernet link (it is loopback): a macvlan network needs one',
    );
  });

  it('returns the existing network for the same spec, in either form, without a new revision', async () => {
    await host.networks.createNetwork(networkInput());
    const again = await host.networks.createNetwork(networkInput({ parent: 'eth0', vlanId: 10 }));
    expect(again.revision).toBe(1);
    expect(again.network.spec.parent).toBe('eth0.10');
  });

  it('refuses the same name with another spec, naming what differs', async () => {
    await host.networks.createNetwork(networkInput());
    await expectRefusedUnchanged(
      () => host.networks.createNetwork(networkInput({ mtu: 1400, mode: 'private' })),
      AlreadyExistsError,
      'another mode, mtu',
    );
  });

  it('keeps eth0.10 while another network uses it, and removes it with the last one', async () => {
    await host.networks.createNetwork(networkInput({ name: 'a' }));
    await host.networks.createNetwork(networkInput({ name: 'b', subnets: subnet24(11) }));
    await host.networks.deleteNetwork('a', false);
    expect(await host.driver.getLink('eth0.10')).toBeDefined();
    await host.networks.deleteNetwork('b', false);
    expect(await host.driver.getLink('eth0.10')).toBeUndefined();
    expect(await host.driver.getLink('eth0')).toBeDefined();
  });

  it('never removes a sub-interface that existed before', async () => {
    host.driver.addLinkBehindBack({ name: 'eth0.10', kind: 'vlan', vlanId: 10, parent: 'eth0' });
    const { network } = await host.networks.createNetwork(networkInput());
    expect(network.status.parentLinkOwned).toBe(false);
    await host.networks.deleteNetwork('macvlan10', false);
    expect(await host.driver.getLink('eth0.10')).toBeDefined();
  });

  it('refuses an existing eth0.10 that is not VLAN 10 on eth0', async () => {
    host.driver.addLinkBehindBack({ name: 'eth0.10', kind: 'vlan', vlanId: 20, parent: 'eth0' });
    await expectRefusedUnchanged(
      () => host.networks.createNetwork(networkInput()),
      PreconditionError,
      'is not VLAN 10 on eth0',
    );
  });

  it('refuses a sub-interface of a missing parent', async () => {
    await expectRefusedUnchanged(
      () => host.networks.createNetwork(networkInput({ parent: 'eth1.10' })),
      PreconditionError,
      'parent eth1 of sub-interface eth1.10 does not exist',
    );
  });

  it('refuses a missing parent NIC', async () => {
    await expectRefusedUnchanged(
      () => host.networks.createNetwork(networkInput({ parent: 'eth9' })),
      PreconditionError,
      'parent eth9 does not exist',
    );
  });

  it('refuses a subnet that overlaps another network', async () => {
    await host.networks.createNetwork(networkInput({ name: 'a' }));
    await expectRefusedUnchanged(
      () =>
        host.networks.createNetwork(
          networkInput({
            name: 'b',
            parent: 'eth0.20',
            subnets: [{ cidr: '192.168.0.0/16', gateway: '192.168.0.1', ipRange: '', auxAddresses: {} }],
          }),
        ),
      PreconditionError,
      'subnet 192.168.0.0/16 overlaps 192.168.10.0/24 of network a',
    );
  });

  it('gives a passthru network its parent alone, both ways', async () => {
    await host.networks.createNetwork(networkInput({ name: 'pt', mode: 'passthru', parent: 'eth0' }));
    await expectRefusedUnchanged(
      () => host.networks.createNetwork(networkInput({ name: 'b', parent: 'eth0', subnets: subnet24(11) })),
      PreconditionError,
      'taken by passthru network pt',
    );
    await host.networks.deleteNetwork('pt', false);
    await host.networks.createNetwork(networkInput({ name: 'b', parent: 'eth0', subnets: subnet24(11) }));
    await expectRefusedUnchanged(
      () => host.networks.createNetwork(networkInput({ name: 'pt', mode: 'passthru', parent: 'eth0' })),
      PreconditionError,
      'used by network b: a passthru network needs its parent alone',
    );
  });

  it("refuses an MTU above the parent's", async () => {
    await expectRefusedUnchanged(
      () => host.networks.createNetwork(networkInput({ parent: 'eth0', mtu: 9000 })),
      PreconditionError,
      'mtu 9000 is above the MTU 1500 of parent eth0',
    );
  });

  it('gives an internal network a dummy parent of its own, removed with it', async () => {
    const { network } = await host.networks.createNetwork(networkInput({ name: 'iso', parent: '' }));
    expect(network.spec.internal).toBe(true);
    const dummy = await host.driver.getLink(network.status.parentLink);
    expect(dummy).toMatchObject({ kind: 'dummy', alias: 'mvnet:iso', adminUp: true });
    await host.networks.deleteNetwork('iso', false);
    expect(await host.driver.getLink(network.status.parentLink)).toBeUndefined();
  });

  it('turns promiscuous mode on when asked, and off with the last network asking', async () => {
    await host.networks.createNetwork(networkInput({ name: 'a', parent: 'eth0', promiscuous: true }));
    await host.networks.createNetwork(
      networkInput({ name: 'b', parent: 'eth0', promiscuous: true, subnets: subnet24(11) }),
    );
    expect((await host.driver.getLink('eth0'))!.promiscuous).toBe(true);
    await host.networks.deleteNetwork('a', false);
    expect((await host.driver.getLink('eth0'))!.promiscuous).toBe(true);
    await host.networks.deleteNetwork('b', false);
    expect((await host.driver.getLink('eth0'))!.promiscuous).toBe(false);
  });

  it('leaves promiscuous mode alone when the parent was promiscuous already', async () => {
    host.driver.addLinkBehindBack({ name: 'eth1', promiscuous: true });
    await host.networks.createNetwork(networkInput({ parent: 'eth1', promiscuous: true }));
    await host.networks.deleteNetwork('macvlan10', false);
    expect((await host.driver.getLink('eth1'))!.promiscuous).toBe(true);
  });

  it('reports a parent that went down, with a new revision, and never sets a NIC up', async () => {
    await host.networks.createNetwork(networkInput({ parent: 'eth0' }));
    host.driver.setOperState('eth0', 'DOWN');
    const { network, revision } = await host.networks.getNetwork('macvlan10');
    expect(network.status).toMatchObject({ state: 'degraded', revision: 2 });
    expect(network.status.message).toContain('eth0 is down');
    expect(revision).toBe(2);
    expect(host.driver.changes.some((c) => c.includes('eth0') && !c.includes('eth0.'))).toBe(false);
  });

  it('removes a half-made sub-interface when a later step fails', async () => {
    host.driver.failNext('setLinkUp');
    await expect(host.networks.createNetwork(networkInput())).rejects.toThrow('No buffer space');
    expect(await host.driver.getLink('eth0.10')).toBeUndefined();
    expect(host.store.revision()).toBe(0);
  });

  it('gives the host a shim on the parent with the highest free address, removed with the network', async () => {
    const { network } = await host.networks.createNetwork(networkInput({ parent: 'eth0', hostAccess: true }));
    expect(network.status.hostAddresses).toEqual(['192.168.10.254']);
    const shim = await host.driver.getLink(network.status.hostLink!);
    expect(shim).toMatchObject({
      kind: 'macvlan',
      parent: 'eth0',
      macvlanMode: 'bridge',
      alias: 'mvnet:macvlan10',
      adminUp: true,
    });
    expect(host.store.leases('macvlan10').get('192.168.10.254')).toBe('the host-access shim');
    await host.networks.deleteNetwork('macvlan10', false);
    expect(await host.driver.getLink(network.status.hostLink!)).toBeUndefined();
  });

  it('fails NOT_FOUND for a network that does not exist', async () => {
    await expect(host.networks.getNetwork('nope')).rejects.toThrow(NotFoundError);
    await expect(host.networks.deleteNetwork('nope', false)).rejects.toThrow('network nope not found');
  });

  it('logs every change with the next revision, durably', async () => {
    await host.networks.createNetwork(networkInput({ name: 'a' }));
    await host.networks.createNetwork(networkInput({ name: 'b', subnets: subnet24(11) }));
    await host.networks.deleteNetwork('a', false);
    host = await host.restart();
    expect(host.store.revision()).toBe(3);
    expect(host.store.eventsAfter(0).map((e) => `${e.revision} ${e.type} ${e.name}`)).toEqual([
      '1 ADDED a',
      '2 ADDED b',
      '3 DELETED a',
    ]);
    expect((await host.networks.listNetworks()).networks.map((n) => n.spec.name)).toEqual(['b']);
  });
});

describe('NetworkService on a kernel without 802.1q and dummy (this machine)', () => {
  let host: MemoryHost;
  beforeEach(async () => {
    host = await makeMemoryHost({ capabilities: THIS_MACHINE });
  });
  afterEach(() => host.close());

  it('refuses a sub-interface, naming 802.1q', async () => {
    await expect(host.networks.createNetwork(networkInput())).rejects.toThrow(
      'the kernel lacks 802.1q (module 8021q)',
    );
    expect(await host.driver.listLinks()).toHaveLength(1);
  });

  it('refuses an internal network, naming the dummy driver', async () => {
    await expect(host.networks.createNetwork(networkInput({ parent: '' }))).rejects.toThrow(
      PreconditionError,
    );
    await expect(host.networks.createNetwork(networkInput({ parent: '' }))).rejects.toThrow('dummy');
  });

  it('still takes a network on a plain parent', async () => {
    const { network } = await host.networks.createNetwork(networkInput({ parent: 'eth0' }));
    expect(network.status.state).toBe('ready');
  });
});

describe('restoring the host at start', () => {
  it('re-creates owned sub-interfaces after a reboot, with a DRIFT event each', async () => {
    let host = await makeMemoryHost();
    await host.networks.createNetwork(networkInput({ name: 'a' }));
    await host.networks.createNetwork(networkInput({ name: 'b', subnets: subnet24(11) }));
    await host.networks.createNetwork(networkInput({ name: 'iso', parent: '', subnets: subnet24(12) }));
    const rebooted = new MemoryDriver({ links: [{ name: 'eth0', mtu: 1500 }] });
    host = await host.restart({ driver: rebooted, bootId: 'boot-2' });
    expect(await rebooted.getLink('eth0.10')).toMatchObject({
      kind: 'vlan',
      vlanId: 10,
      adminUp: true,
      alias: 'mvnet:a',
    });
    expect((await rebooted.listLinks()).filter((l) => l.kind === 'dummy')).toHaveLength(1);
    const drift = host.store.eventsAfter(3).map((e) => `${e.type} ${e.name}: ${e.message}`);
    expect(drift).toEqual([
      expect.stringMatching(/^DRIFT a: eth0.10 was missing: re-created$/),
      expect.stringMatching(/^DRIFT iso: mvd-\w+ was missing: re-created$/),
    ]);
    host.close();
  });

  it('removes orphaned links it marked, and never touches foreign ones', async () => {
    const driver = new MemoryDriver({
      links: [
        { name: 'eth0', mtu: 1500 },
        { name: 'eth0.99', kind: 'vlan', vlanId: 99, parent: 'eth0', alias: 'mvnet:gone' },
        { name: 'eth0.98', kind: 'vlan', vlanId: 98, parent: 'eth0', alias: 'their-own' },
        { name: 'eth0.97', kind: 'vlan', vlanId: 97, parent: 'eth0' },
      ],
    });
    const host = await makeMemoryHost({ driver });
    expect((await driver.listLinks()).map((l) => l.name)).toEqual(['eth0', 'eth0.98', 'eth0.97']);
    host.close();
  });

  it('reports, and does not repair, a parent NIC that disappeared', async () => {
    let host = await makeMemoryHost({ links: [{ name: 'eth0' }, { name: 'eth1' }] });
    await host.networks.createNetwork(networkInput({ parent: 'eth1.10' }));
    host = await host.restart({ driver: new MemoryDriver({ links: [{ name: 'eth0' }] }), bootId: 'boot-2' });
    const { network } = await host.networks.getNetwork('macvlan10');
    expect(network.status).toMatchObject({ state: 'parent-missing', parentLink: 'eth1.10' });
    host.close();
  });
});
