/**
 * The host-address and host-route part of the LinkDriver contract (the host "shim" of a network):
 * idempotent on both drivers, refused alike.
 */
import { LinkDriver } from '../../agent/src/domain/ports/LinkDriver';
import { ContainerFixture, kernelErrorOf, LinkDriverFixture, useFreshFixture } from './contractSupport';

/** Declares the address and route cases of the contract for the driver `makeDriver` builds. */
export function describeAddressRouteContract(
  name: string,
  makeDriver: () => Promise<LinkDriverFixture>,
): void {
  describe(`${name}: the LinkDriver contract for host addresses and routes`, () => {
    const fixture = useFreshFixture(makeDriver);
    let driver: LinkDriver;
    let containers: ContainerFixture;

    /** A host shim: a macvlan on the parent, up. */
    beforeEach(async () => {
      ({ driver, containers } = fixture());
      await driver.createMacvlan({
        name: 'shim0',
        parent: fixture().parent,
        mode: 'bridge',
        alias: 'mvnet:shim',
      });
      await driver.setLinkUp('shim0');
    });

    it('adds an address once, however often it is asked to', async () => {
      for (let i = 0; i < 2; i++) {
        await driver.addAddress('shim0', '192.168.10.254/32');
        await driver.addAddress('shim0', '2001:db8:10::fe/128');
      }
      expect(await containers.hostAddresses('shim0')).toEqual(['192.168.10.254/32', '2001:db8:10::fe/128']);
    });

    it('refuses an address on a missing link, and one that is not CIDR', async () => {
      const missing = await kernelErrorOf(driver.addAddress('nope0', '192.168.10.254/32'));
      expect(missing.message).toBe(
        'cannot add address 192.168.10.254/32 to nope0: Cannot find device "nope0"',
      );
      const bad = await kernelErrorOf(driver.addAddress('shim0', '192.168.10.254'));
      expect(bad.message).toBe(
        'cannot add address 192.168.10.254 to shim0: address "192.168.10.254" is not an address in CIDR form',
      );
    });

    it('adds a route, and deletes it, both any number of times', async () => {
      for (let i = 0; i < 2; i++) {
        await driver.addRoute('192.168.10.0/24', 'shim0');
        await driver.addRoute('2001:db8:10::/64', 'shim0');
      }
      expect(await containers.routes()).toEqual(['192.168.10.0/24 dev shim0', '2001:db8:10::/64 dev shim0']);
      for (let i = 0; i < 2; i++) {
        await driver.deleteRoute('192.168.10.0/24', 'shim0');
        await driver.deleteRoute('2001:db8:10::/64', 'shim0');
      }
      expect(await containers.routes()).toEqual([]);
    });

    it('never takes over a route through another link, and deletes a route only through its link', async () => {
      await driver.createMacvlan({
        name: 'shim1',
        parent: fixture().parent,
        mode: 'bridge',
        alias: 'mvnet:shim',
      });
      await driver.setLinkUp('shim1');
      await driver.addRoute('192.168.10.0/24', 'shim0');
      const taken = await kernelErrorOf(driver.addRoute('192.168.10.0/24', 'shim1'));
      expect(taken.message).toBe('cannot add route 192.168.10.0/24 on shim1: File exists');
      await driver.deleteRoute('192.168.10.0/24', 'shim1');
      expect(await containers.routes()).toEqual(['192.168.10.0/24 dev shim0']);
    });

    it("reads the host's addresses and routes, without the kernel's link-local ones", async () => {
      await driver.addAddress('shim0', '192.168.10.254/32');
      await driver.addRoute('192.168.10.0/24', 'shim0');
      const { addresses, routes } = await driver.readHostAddressing();
      expect(addresses).toContainEqual({ dev: 'shim0', cidr: '192.168.10.254/32' });
      expect(addresses.some((a) => a.cidr.startsWith('fe80:'))).toBe(false);
      expect(routes).toContainEqual({ destination: '192.168.10.0/24', dev: 'shim0' });
    });

    it('deletes a route through a missing link as success, and drops routes with their link', async () => {
      await driver.deleteRoute('192.168.10.0/24', 'nope0');
      await driver.addRoute('192.168.10.0/24', 'shim0');
      await driver.deleteLink('shim0');
      expect(await containers.routes()).toEqual([]);
    });

    it('refuses a route through a link that is down, or missing, or to a prefix with host bits', async () => {
      await driver.createMacvlan({
        name: 'shim1',
        parent: fixture().parent,
        mode: 'bridge',
        alias: 'mvnet:shim',
      });
      const down4 = await kernelErrorOf(driver.addRoute('192.168.10.0/24', 'shim1'));
      expect(down4.message).toBe('cannot add route 192.168.10.0/24 on shim1: Device for nexthop is not up.');
      const down6 = await kernelErrorOf(driver.addRoute('2001:db8:10::/64', 'shim1'));
      expect(down6.message).toBe('cannot add route 2001:db8:10::/64 on shim1: Nexthop device is not up.');
      const missing = await kernelErrorOf(driver.addRoute('192.168.10.0/24', 'nope0'));
      expect(missing.message).toBe('cannot add route 192.168.10.0/24 on nope0: Cannot find device "nope0"');
      const hostBits = await kernelErrorOf(driver.addRoute('192.168.10.5/24', 'shim0'));
      expect(hostBits.message).toBe(
        'cannot add route 192.168.10.5/24 on shim0: destination 192.168.10.5/24 has host bits set (not a prefix)',
      );
      expect(await containers.routes()).toEqual([]);
    });
  });
}
