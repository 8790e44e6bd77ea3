/**
 * The one contract suite of the kernel seam. It runs against the in-memory driver (unit) and the
 * real one (LinuxDriver) in a throwaway netns (integration), so the fake refuses what the kernel refuses,
 * with the same messages.
 */
import { LinkDriver } from '../../agent/src/domain/ports/LinkDriver';
import { describeAddressRouteContract } from './addressRouteContract';
import { describeArpProbeContract } from './arpProbeContract';
import { eventually, kernelErrorOf, LinkDriverFixture, linkNames } from './contractSupport';
import { describeEndpointContract } from './endpointContract';
import { describeInspectNetnsContract } from './inspectNetnsContract';
import { describeNetnsContract } from './netnsContract';

export type { ContainerFixture, LinkDriverFixture, WireFixture } from './contractSupport';

/** Declares the LinkDriver contract for the driver `makeDriver` builds (a fresh one per test). */
export function describeLinkDriverContract(name: string, makeDriver: () => Promise<LinkDriverFixture>): void {
  describe(`${name}: the LinkDriver contract`, () => {
    let fixture: LinkDriverFixture | undefined;
    let driver: LinkDriver;
    let parent: string;
    let parentMtu: number;

    beforeEach(async () => {
      fixture = await makeDriver();
      ({ driver, parent } = fixture);
      parentMtu = (await driver.getLink(parent))!.mtu;
    });

    afterEach(async () => {
      await fixture?.driver.close();
      await fixture?.cleanup();
      fixture = undefined;
    });

    const macvlan = (name: string, more: object = {}) =>
      driver.createMacvlan({ name, parent, mode: 'bridge', alias: `mvnet:${name}`, ...more });

    it('lists the parent and reads it by name', async () => {
      expect(await linkNames(driver)).toContain(parent);
      expect(await driver.getLink(parent)).toMatchObject({ name: parent, adminUp: true });
    });

    it('reads a missing link as undefined', async () => {
      expect(await driver.getLink('nope0')).toBeUndefined();
    });

    it('creates a macvlan with the mode, alias, MTU and MAC it was given', async () => {
      await macvlan('mv0', {
        mode: 'vepa',
        alias: 'mvnet:net1',
        mtu: parentMtu - 100,
        mac: '02:AA:BB:CC:DD:01',
      });
      const expected = { name: 'mv0', kind: 'macvlan', parent, macvlanMode: 'vepa', alias: 'mvnet:net1' };
      expect(await driver.getLink('mv0')).toMatchObject({
        ...expected,
        mtu: parentMtu - 100,
        mac: '02:aa:bb:cc:dd:01',
        adminUp: false,
        promiscuous: false,
      });
      expect((await driver.listLinks()).find((l) => l.name === 'mv0')).toMatchObject(expected);
    });

    it("gives a macvlan the parent's MTU and a unicast MAC of its own when none is given", async () => {
      await macvlan('mv0');
      const link = (await driver.getLink('mv0'))!;
      expect(link.mtu).toBe(parentMtu);
      expect(link.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
      expect(parseInt(link.mac.slice(0, 2), 16) & 1).toBe(0);
    });

    it('puts a macvlan made on a macvlan on the lower link underneath', async () => {
      await macvlan('mv0');
      await driver.createMacvlan({ name: 'mv1', parent: 'mv0', mode: 'bridge', alias: 'mvnet:mv1' });
      expect((await driver.getLink('mv1'))?.parent).toBe(parent);
    });

    it("refuses a macvlan MTU above the parent's and leaves nothing behind", async () => {
      const err = await kernelErrorOf(macvlan('mv0', { mtu: parentMtu + 1 }));
      expect(err.message).toBe('cannot create macvlan mv0: Invalid argument');
      expect(await driver.getLink('mv0')).toBeUndefined();
    });

    it('refuses a duplicate name and leaves the existing link as it was', async () => {
      await macvlan('mv0', { alias: 'mvnet:first' });
      const err = await kernelErrorOf(macvlan('mv0', { alias: 'mvnet:second', mode: 'private' }));
      expect(err.message).toBe('cannot create macvlan mv0: File exists');
      expect(await driver.getLink('mv0')).toMatchObject({ alias: 'mvnet:first', macvlanMode: 'bridge' });
    });

    it('refuses a missing parent', async () => {
      const err = await kernelErrorOf(
        driver.createMacvlan({ name: 'mv0', parent: 'nope0', mode: 'bridge', alias: 'mvnet:mv0' }),
      );
      expect(err.message).toBe('cannot create macvlan mv0: Cannot find device "nope0"');
      expect(await driver.getLink('mv0')).toBeUndefined();
    });

    it('refuses an interface name longer than 15 bytes', async () => {
      const err = await kernelErrorOf(macvlan('mvnet-sixteen-bx'));
      expect(err.message).toMatch(/^cannot create macvlan mvnet-sixteen-bx: .*not a valid ifname$/);
    });

    it('refuses an alias longer than 255 bytes and leaves nothing behind', async () => {
      const err = await kernelErrorOf(macvlan('mv0', { alias: 'x'.repeat(256) }));
      expect(err.message).toMatch(/^cannot create macvlan mv0: .*alias too long$/);
      expect(await driver.getLink('mv0')).toBeUndefined();
    });

    it('refuses a passthru macvlan on a parent that already carries a macvlan', async () => {
      await macvlan('mv0');
      const err = await kernelErrorOf(macvlan('mv1', { mode: 'passthru' }));
      expect(err.message).toBe('cannot create macvlan mv1: Invalid argument');
      expect(await driver.getLink('mv1')).toBeUndefined();
    });

    it('deletes a link, and deleting it again, or any missing link, succeeds', async () => {
      await macvlan('mv0');
      await driver.deleteLink('mv0');
      expect(await driver.getLink('mv0')).toBeUndefined();
      await driver.deleteLink('mv0');
      await driver.deleteLink('nope0');
    });

    it('removes the links stacked on a parent when the parent is deleted', async () => {
      await macvlan('mv0');
      await macvlan('mv1');
      await driver.deleteLink(parent);
      expect(await linkNames(driver)).not.toContain(parent);
      expect(await driver.getLink('mv0')).toBeUndefined();
      expect(await driver.getLink('mv1')).toBeUndefined();
    });

    it('sets a link up, and its operstate follows the parent that is up', async () => {
      await macvlan('mv0');
      await driver.setLinkUp('mv0');
      expect((await driver.getLink('mv0'))?.adminUp).toBe(true);
      await eventually(async () => (await driver.getLink('mv0'))?.operState, 'UP');
    });

    it('refuses to set a missing link up', async () => {
      const err = await kernelErrorOf(driver.setLinkUp('nope0'));
      expect(err.message).toBe('cannot set link nope0 up: Cannot find device "nope0"');
    });

    it("refuses to bring up a macvlan with a MAC the parent answers to: another macvlan's that is up, or its own", async () => {
      const parentMac = (await driver.getLink(parent))!.mac;
      await macvlan('mv0', { mac: '02:00:00:00:00:55' });
      await macvlan('mv1', { mac: '02:00:00:00:00:55' });
      await macvlan('mv2', { mac: parentMac });
      await driver.setLinkUp('mv0');
      const taken = await kernelErrorOf(driver.setLinkUp('mv1'));
      expect(taken.message).toBe('cannot set link mv1 up: Address already in use');
      const parents = await kernelErrorOf(driver.setLinkUp('mv2'));
      expect(parents.message).toBe('cannot set link mv2 up: Address already in use');
      expect((await driver.getLink('mv1'))?.adminUp).toBe(false);
    });

    it('sets and clears promiscuous mode', async () => {
      await macvlan('mv0');
      await driver.setPromiscuous('mv0', true);
      expect((await driver.getLink('mv0'))?.promiscuous).toBe(true);
      await driver.setPromiscuous('mv0', false);
      expect((await driver.getLink('mv0'))?.promiscuous).toBe(false);
    });

    it('creates a vlan where the kernel has 802.1q, and elsewhere refuses it leaving nothing behind', async () => {
      const before = await linkNames(driver);
      const created = driver.createVlan({ name: 'vl10', parent, vlanId: 10, alias: 'mvnet:vl10', mtu: 1400 });
      if (!fixture!.capabilities.vlan8021q) {
        expect((await kernelErrorOf(created)).message).toBe('cannot create vlan vl10: Unknown device type.');
        expect(await linkNames(driver)).toEqual(before);
        return;
      }
      await created;
      expect(await driver.getLink('vl10')).toMatchObject({
        kind: 'vlan',
        parent,
        vlanId: 10,
        alias: 'mvnet:vl10',
        mtu: 1400,
      });
      const again = driver.createVlan({ name: 'vl10b', parent, vlanId: 10, alias: 'mvnet:vl10b' });
      expect((await kernelErrorOf(again)).message).toBe(
        'cannot create vlan vl10b: 8021q: VLAN device already exists.',
      );
      const tooBig = driver.createVlan({
        name: 'vl20',
        parent,
        vlanId: 20,
        alias: 'mvnet:vl20',
        mtu: parentMtu + 1,
      });
      expect((await kernelErrorOf(tooBig)).message).toBe('cannot create vlan vl20: Invalid argument');
      expect(await linkNames(driver)).toEqual([...before, 'vl10'].sort());
    });

    it('refuses a vlan id outside 1..4094', async () => {
      for (const vlanId of [0, 4095]) {
        const err = await kernelErrorOf(driver.createVlan({ name: 'vl', parent, vlanId, alias: 'mvnet:vl' }));
        expect(err.message).toBe(`cannot create vlan vl: vlan id ${vlanId} is outside 1..4094`);
      }
      expect(await driver.getLink('vl')).toBeUndefined();
    });

    it('creates a dummy where the kernel has the dummy driver, and elsewhere refuses it leaving nothing behind', async () => {
      const before = await linkNames(driver);
      const created = driver.createDummy({ name: 'dm0', alias: 'mvnet:dm0', mtu: 9000 });
      if (!fixture!.capabilities.dummy) {
        expect((await kernelErrorOf(created)).message).toBe('cannot create dummy dm0: Unknown device type.');
        expect(await linkNames(driver)).toEqual(before);
        return;
      }
      await created;
      expect(await driver.getLink('dm0')).toMatchObject({ kind: 'dummy', alias: 'mvnet:dm0', mtu: 9000 });
    });

    it('probes the capabilities of its kernel without changing the namespace', async () => {
      const before = await driver.listLinks();
      expect(await driver.probeCapabilities()).toEqual(fixture!.capabilities);
      expect(await driver.listLinks()).toEqual(before);
    });
  });
  describeEndpointContract(name, makeDriver);
  describeNetnsContract(name, makeDriver);
  describeInspectNetnsContract(name, makeDriver);
  describeAddressRouteContract(name, makeDriver);
  describeArpProbeContract(name, makeDriver);
}
