import { KernelCapabilities } from '../../agent/src/domain/ports/LinkDriver';
import { MemoryDriver } from '../../agent/src/kernel/memory/MemoryDriver';
import {
  ContainerFixture,
  describeLinkDriverContract,
  LinkDriverFixture,
  WireFixture,
} from '../contract/linkDriverContract';

/** This machine's kernel (DESIGN.md, "Facts about the machines here"). */
const THIS_MACHINE: KernelCapabilities = {
  vlan8021q: false,
  macvlan: true,
  dummy: false,
  bonding: false,
  vlanFilteringBridge: false,
};

const EVERY_CAPABILITY: KernelCapabilities = {
  vlan8021q: true,
  macvlan: true,
  dummy: true,
  bonding: true,
  vlanFilteringBridge: true,
};

/** Containers on the in-memory kernel: its test helpers, with pids no real process needs to hold. */
function memoryContainers(driver: MemoryDriver): ContainerFixture {
  let made = 0;
  return {
    addNamed: async () => {
      const ref = { name: `c${++made}` };
      driver.addNetnsBehindBack(ref);
      return ref;
    },
    addByPid: async () => {
      const ref = { pid: 40000 + ++made };
      driver.addNetnsBehindBack(ref);
      return ref;
    },
    recreate: async (netns) => {
      driver.removeNetnsBehindBack(netns);
      driver.addNetnsBehindBack(netns);
    },
    missing: () => ({ name: 'mvt-missing' }),
    addNotANetns: async () => {
      const ref = { name: `file${++made}` };
      driver.addNotANetnsBehindBack(ref.name);
      return ref;
    },
    hostPid: () => ({ pid: process.pid }),
    addForeignLink: async (netns, name) => driver.addLinkBehindBack({ name, kind: 'veth' }, netns),
    routes: async (netns) => driver.routesIn(netns).sort(),
    hostAddresses: async (name) => driver.addressesOf(name).sort(),
  };
}

/** The parent eth0's wire on the in-memory kernel: its test helpers. */
function memoryWire(driver: MemoryDriver): WireFixture {
  return {
    answerArp: async (address) => driver.answerArp('eth0', address),
    stopAnsweringArp: async (address) => driver.stopAnsweringArp('eth0', address),
    setParentDown: async () => driver.setLinkDownBehindBack('eth0'),
    nonEthernetLink: async () => {
      driver.addLinkBehindBack({ name: 'lo', linkType: 'loopback', mtu: 65536, mac: '00:00:00:00:00:00' });
      return 'lo';
    },
  };
}

function memoryHost(capabilities: KernelCapabilities) {
  return async (): Promise<LinkDriverFixture> => {
    const driver = new MemoryDriver({ links: [{ name: 'eth0', kind: '', mtu: 1500 }], capabilities });
    return {
      driver,
      parent: 'eth0',
      capabilities,
      containers: memoryContainers(driver),
      wire: memoryWire(driver),
      cleanup: async () => {},
    };
  };
}

describeLinkDriverContract('MemoryDriver on a kernel like this machine', memoryHost(THIS_MACHINE));
describeLinkDriverContract('MemoryDriver on a kernel with every capability', memoryHost(EVERY_CAPABILITY));

describe('MemoryDriver test helpers', () => {
  const host = () => new MemoryDriver({ links: [{ name: 'eth0', kind: '', mtu: 1500 }] });

  it('turns up macvlans LOWERLAYERDOWN when their parent loses its carrier, and UP when it is back', async () => {
    const driver = host();
    await driver.createMacvlan({ name: 'mv0', parent: 'eth0', mode: 'bridge', alias: 'mvnet:a' });
    await driver.setLinkUp('mv0');
    driver.setOperState('eth0', 'DOWN');
    expect((await driver.getLink('mv0'))?.operState).toBe('LOWERLAYERDOWN');
    driver.setOperState('eth0', 'UP');
    expect((await driver.getLink('mv0'))?.operState).toBe('UP');
  });

  it('removes a link and what is stacked on it behind the driver, without recording a change', async () => {
    const driver = host();
    await driver.createVlan({ name: 'eth0.10', parent: 'eth0', vlanId: 10, alias: 'mvnet:a' });
    await driver.createMacvlan({ name: 'mv0', parent: 'eth0.10', mode: 'bridge', alias: 'mvnet:a' });
    driver.removeLinkBehindBack('eth0.10');
    expect((await driver.listLinks()).map((l) => l.name)).toEqual(['eth0']);
    expect(driver.changes).toEqual(['createVlan eth0.10', 'createMacvlan mv0']);
  });

  it('fails the next call of a method once, as iproute2 would', async () => {
    const driver = host();
    driver.failNext('setLinkUp');
    await expect(driver.setLinkUp('eth0')).rejects.toThrow(
      'cannot set link eth0 up: No buffer space available',
    );
    await expect(driver.setLinkUp('eth0')).resolves.toBeUndefined();
  });
});

describe('MemoryDriver containers', () => {
  const host = () => new MemoryDriver({ links: [{ name: 'eth0', kind: '', mtu: 1500 }] });
  const attach = (driver: MemoryDriver, netns: { name: string } | { pid: number }) =>
    driver.attachEndpoint({
      tmpName: 'mvtmp0',
      parent: 'eth0',
      mode: 'bridge',
      mac: '02:00:00:00:00:01',
      alias: 'mvnet:a',
      netns,
      ifname: 'eth0',
      addresses: ['10.0.0.2/24'],
      gateways: ['10.0.0.1'],
    });

  it('takes the endpoints of a netns that goes away along with it', async () => {
    const driver = host();
    driver.addNetnsBehindBack({ name: 'c1' });
    await attach(driver, { name: 'c1' });
    driver.removeNetnsBehindBack({ name: 'c1' });
    expect(await driver.inspectEndpoint({ name: 'c1' }, 'eth0')).toEqual({ netnsExists: false });
    driver.addNetnsBehindBack({ name: 'c1' });
    expect(await driver.listLinkNamesIn({ name: 'c1' })).toEqual(['lo']);
  });

  it('knows a netns by its name or by a pid in it, each its own namespace', async () => {
    const driver = host();
    driver.addNetnsBehindBack({ name: 'c1' });
    driver.addNetnsBehindBack({ pid: 77 });
    const c1 = await driver.netnsInstance({ name: 'c1' });
    const pid77 = await driver.netnsInstance({ pid: 77 });
    expect(c1).toBeDefined();
    expect(pid77).toBeDefined();
    expect(c1).not.toEqual(pid77);
    expect(await driver.netnsInstance({ pid: 78 })).toBeUndefined();
  });

  it('turns an endpoint LOWERLAYERDOWN when the parent on the host loses its carrier', async () => {
    const driver = host();
    driver.addNetnsBehindBack({ pid: 77 });
    await attach(driver, { pid: 77 });
    driver.setOperState('eth0', 'DOWN');
    expect((await driver.inspectEndpoint({ pid: 77 }, 'eth0')).link?.operState).toBe('LOWERLAYERDOWN');
  });

  it('records attaches, detaches and host routes as changes', async () => {
    const driver = host();
    driver.addNetnsBehindBack({ name: 'c1' });
    await attach(driver, { name: 'c1' });
    await driver.detachEndpoint({ name: 'c1' }, 'eth0', 'mvnet:a');
    expect(driver.changes).toEqual(['attachEndpoint c1 eth0', 'detachEndpoint c1 eth0']);
    expect(driver.routesIn({ name: 'c1' })).toEqual([]);
  });
});
