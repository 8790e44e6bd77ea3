import { KernelCapabilities } from '../../agent/src/kernel/LinkDriver';
import { MemoryDriver } from '../../agent/src/kernel/MemoryDriver';
import { describeLinkDriverContract, LinkDriverFixture } from '../contract/linkDriverContract';

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

function memoryHost(capabilities: KernelCapabilities) {
  return async (): Promise<LinkDriverFixture> => ({
    driver: new MemoryDriver({ links: [{ name: 'eth0', kind: '', mtu: 1500 }], capabilities }),
    parent: 'eth0',
    capabilities,
    cleanup: async () => {},
  });
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
