/**
 * The endpoint part of the LinkDriver contract: a macvlan made on the host, moved into a container's
 * netns and configured there; read back, refused, detached, on both drivers alike.
 */
import { AttachEndpointOptions, LinkDriver, NetnsRef } from '../../agent/src/domain/ports/LinkDriver';
import {
  ContainerFixture,
  eventually,
  kernelErrorOf,
  LinkDriverFixture,
  linkNames,
  useFreshFixture,
} from './contractSupport';

const V4 = { address: '192.168.10.2/24', gateway: '192.168.10.1' };
const V6 = { address: '2001:db8:10::2/64', gateway: '2001:db8:10::1' };

/** Declares the endpoint cases of the contract for the driver `makeDriver` builds. */
export function describeEndpointContract(name: string, makeDriver: () => Promise<LinkDriverFixture>): void {
  describe(`${name}: the LinkDriver contract for endpoints`, () => {
    const fixture = useFreshFixture(makeDriver);
    let driver: LinkDriver;
    let containers: ContainerFixture;
    let c1: { name: string };

    beforeEach(async () => {
      ({ driver, containers } = fixture());
      c1 = await containers.addNamed();
    });

    const endpoint = (more: Partial<AttachEndpointOptions> = {}): AttachEndpointOptions => ({
      tmpName: 'mvtmp0',
      parent: fixture().parent,
      mode: 'bridge',
      mac: '02:00:00:00:0a:02',
      alias: 'mvnet:net1',
      netns: c1,
      ifname: 'eth0',
      addresses: [V4.address, V6.address],
      gateways: [V4.gateway, V6.gateway],
      ...more,
    });

    /** Nothing of a failed attach is left: not on the host, not in the container. */
    async function expectNothingLeft(netns: NetnsRef, namesBefore: string[]): Promise<void> {
      expect(await driver.getLink('mvtmp0')).toBeUndefined();
      expect((await driver.listLinkNamesIn(netns)).sort()).toEqual(namesBefore);
    }

    it('attaches into a named netns: renamed, marked, addressed, up, with default routes', async () => {
      const parentMtu = (await driver.getLink(fixture().parent))!.mtu;
      await driver.attachEndpoint(endpoint({ mtu: parentMtu - 100, mac: '02:AA:00:00:0A:02' }));
      const seen = await driver.inspectEndpoint(c1, 'eth0');
      expect(seen.netnsExists).toBe(true);
      expect(seen.link).toMatchObject({
        name: 'eth0',
        kind: 'macvlan',
        macvlanMode: 'bridge',
        mac: '02:aa:00:00:0a:02',
        mtu: parentMtu - 100,
        alias: 'mvnet:net1',
        adminUp: true,
      });
      // The lower stayed on the host: seen from the container, the macvlan has no parent.
      expect(seen.link?.parent).toBeUndefined();
      expect([...seen.link!.addresses].sort()).toEqual([V4.address, V6.address].sort());
      await eventually(async () => (await driver.inspectEndpoint(c1, 'eth0')).link?.operState, 'UP');
      expect(await containers.routes(c1)).toEqual(
        [`default via ${V4.gateway} dev eth0`, `default via ${V6.gateway} dev eth0`].sort(),
      );
      expect(await driver.getLink('mvtmp0')).toBeUndefined();
      expect((await driver.listLinkNamesIn(c1)).sort()).toEqual(['eth0', 'lo']);
    });

    it("takes the parent's MTU and gives no route without gateways (an internal network)", async () => {
      await driver.attachEndpoint(endpoint({ gateways: [], addresses: [V4.address] }));
      const seen = await driver.inspectEndpoint(c1, 'eth0');
      expect(seen.link?.mtu).toBe((await driver.getLink(fixture().parent))!.mtu);
      expect(seen.link?.addresses).toEqual([V4.address]);
      expect(await containers.routes(c1)).toEqual([]);
    });

    it('attaches into the netns of a process, by pid, and reads it back by pid', async () => {
      const byPid = await containers.addByPid();
      await driver.attachEndpoint(
        endpoint({ netns: byPid, ifname: 'eth1', addresses: [V4.address], gateways: [] }),
      );
      expect((await driver.inspectEndpoint(byPid, 'eth1')).link).toMatchObject({ alias: 'mvnet:net1' });
      expect((await driver.inspectEndpoint(byPid, 'eth1')).link?.addresses).toEqual([V4.address]);
      expect((await driver.listLinkNamesIn(byPid)).sort()).toEqual(['eth1', 'lo']);
      expect(await driver.netnsInstance(byPid)).toBeDefined();
    });

    it('attaches again, with the same MAC, into a netns deleted and made anew under the same name', async () => {
      await driver.attachEndpoint(endpoint());
      await containers.recreate(c1);
      expect(await driver.inspectEndpoint(c1, 'eth0')).toEqual({
        netnsExists: true,
        netnsInstance: await driver.netnsInstance(c1),
      });
      await driver.attachEndpoint(endpoint());
      expect((await driver.inspectEndpoint(c1, 'eth0')).link?.mac).toBe('02:00:00:00:0a:02');
    });

    it('attaches several endpoints at once, each into its own netns', async () => {
      const others = await Promise.all([1, 2, 3].map(() => containers.addNamed()));
      await Promise.all(
        others.map((netns, i) =>
          driver.attachEndpoint(
            endpoint({ netns, tmpName: `mvtmp${i + 1}`, mac: `02:00:00:00:0b:0${i + 1}`, gateways: [] }),
          ),
        ),
      );
      for (const netns of others) expect((await driver.inspectEndpoint(netns, 'eth0')).link).toBeDefined();
    });

    it('refuses an ifname taken in the netns, leaving the other link and nothing of its own', async () => {
      await containers.addForeignLink(c1, 'eth0');
      const before = (await driver.listLinkNamesIn(c1)).sort();
      const err = await kernelErrorOf(driver.attachEndpoint(endpoint()));
      expect(err.message).toBe(`cannot attach endpoint eth0 in netns ${c1.name}: File exists`);
      await expectNothingLeft(c1, before);
      expect((await driver.inspectEndpoint(c1, 'eth0')).link?.alias).toBeUndefined();
    });

    it('refuses a missing parent and leaves nothing', async () => {
      const err = await kernelErrorOf(driver.attachEndpoint(endpoint({ parent: 'nope0' })));
      expect(err.message).toBe(`cannot attach endpoint eth0 in netns ${c1.name}: Cannot find device "nope0"`);
      await expectNothingLeft(c1, ['lo']);
    });

    it('refuses a missing netns before making anything', async () => {
      const netns = containers.missing();
      const hostBefore = await linkNames(driver);
      const err = await kernelErrorOf(driver.attachEndpoint(endpoint({ netns })));
      expect(err.message).toBe(
        `cannot attach endpoint eth0 in netns ${'name' in netns && netns.name}: no such netns`,
      );
      expect(await linkNames(driver)).toEqual(hostBefore);
    });

    it('refuses a malformed MAC, or one the kernel will not give a link, and leaves nothing', async () => {
      const unreadable = await kernelErrorOf(driver.attachEndpoint(endpoint({ mac: '02:zz:00:00:00:01' })));
      expect(unreadable.message).toBe(
        `cannot attach endpoint eth0 in netns ${c1.name}: address "02:zz:00:00:00:01" is not a MAC (six hex bytes)`,
      );
      const multicast = await kernelErrorOf(driver.attachEndpoint(endpoint({ mac: '01:00:5e:00:00:01' })));
      expect(multicast.message).toBe(
        `cannot attach endpoint eth0 in netns ${c1.name}: Cannot assign requested address`,
      );
      await expectNothingLeft(c1, ['lo']);
    });

    it('refuses a MAC that another macvlan on the parent has up, and leaves nothing', async () => {
      const parent = fixture().parent;
      await driver.createMacvlan({
        name: 'mv0',
        parent,
        mode: 'bridge',
        alias: 'x',
        mac: '02:00:00:00:0a:02',
      });
      await driver.setLinkUp('mv0');
      const err = await kernelErrorOf(driver.attachEndpoint(endpoint()));
      expect(err.message).toBe(`cannot attach endpoint eth0 in netns ${c1.name}: Address already in use`);
      await expectNothingLeft(c1, ['lo']);
    });

    it('refuses a gateway off the subnet, removing the half-configured link from the netns', async () => {
      const err = await kernelErrorOf(driver.attachEndpoint(endpoint({ gateways: ['10.99.0.1'] })));
      expect(err.message).toBe(
        `cannot attach endpoint eth0 in netns ${c1.name}: Nexthop has invalid gateway.`,
      );
      await expectNothingLeft(c1, ['lo']);
    });

    it('refuses values that would smuggle arguments or commands into an ip batch, before making anything', async () => {
      const hostBefore = await linkNames(driver);
      const aliasErr = await kernelErrorOf(
        driver.attachEndpoint(endpoint({ alias: 'mvnet:x\nlink del dev eth0' })),
      );
      expect(aliasErr.message).toMatch(
        /^cannot attach endpoint eth0 in netns .*: alias "mvnet:x\\nlink del dev eth0" has characters/,
      );
      const cidrErr = await kernelErrorOf(
        driver.attachEndpoint(endpoint({ addresses: ['192.168.10.2/24 dev lo'] })),
      );
      expect(cidrErr.message).toMatch(/address "192.168.10.2\/24 dev lo" is not an address in CIDR form$/);
      const ifnameErr = await kernelErrorOf(driver.attachEndpoint(endpoint({ ifname: 'eth0 up' })));
      expect(ifnameErr.message).toMatch(/argument "eth0 up" is wrong: "name" not a valid ifname$/);
      expect(await linkNames(driver)).toEqual(hostBefore);
      await expectNothingLeft(c1, ['lo']);
    });

    it('detaches only a link carrying its alias, and leaves somebody else’s eth1 alone', async () => {
      await driver.attachEndpoint(endpoint());
      await containers.addForeignLink(c1, 'eth1');
      await driver.detachEndpoint(c1, 'eth0', 'mvnet:other');
      await driver.detachEndpoint(c1, 'eth1', 'mvnet:net1');
      expect(await driver.listLinkNamesIn(c1)).toEqual(expect.arrayContaining(['eth0', 'eth1']));
      await driver.detachEndpoint(c1, 'eth0', 'mvnet:net1');
      expect(await driver.listLinkNamesIn(c1)).not.toContain('eth0');
      expect(await driver.listLinkNamesIn(c1)).toContain('eth1');
      expect(await containers.routes(c1)).toEqual([]);
    });

    it('detaches a missing link, or from a missing netns, as success', async () => {
      await driver.detachEndpoint(c1, 'eth0', 'mvnet:net1');
      await driver.detachEndpoint(containers.missing(), 'eth0', 'mvnet:net1');
    });

    it('inspects a missing netns and a missing link', async () => {
      expect(await driver.inspectEndpoint(containers.missing(), 'eth0')).toEqual({ netnsExists: false });
      expect(await driver.inspectEndpoint(c1, 'eth0')).toEqual({
        netnsExists: true,
        netnsInstance: await driver.netnsInstance(c1),
      });
      expect(await driver.netnsInstance(containers.missing())).toBeUndefined();
      expect(await driver.netnsInstance(c1)).toBeDefined();
      expect(await driver.netnsExists(containers.missing())).toBe(false);
      expect(await driver.netnsExists(c1)).toBe(true);
    });

    it('lists the link names of a netns, and none of a missing one', async () => {
      expect(await driver.listLinkNamesIn(c1)).toEqual(['lo']);
      await driver.attachEndpoint(endpoint());
      expect((await driver.listLinkNamesIn(c1)).sort()).toEqual(['eth0', 'lo']);
      expect(await driver.listLinkNamesIn(containers.missing())).toEqual([]);
    });

    it("removes an endpoint's link with its parent on the host, as the kernel does", async () => {
      await driver.attachEndpoint(endpoint());
      await driver.deleteLink(fixture().parent);
      expect(await driver.inspectEndpoint(c1, 'eth0')).toEqual({
        netnsExists: true,
        netnsInstance: await driver.netnsInstance(c1),
      });
    });

    it('counts an endpoint among the macvlans of its parent: no passthru beside it', async () => {
      await driver.attachEndpoint(endpoint());
      const err = await kernelErrorOf(
        driver.createMacvlan({ name: 'mv1', parent: fixture().parent, mode: 'passthru', alias: 'mvnet:mv1' }),
      );
      expect(err.message).toBe('cannot create macvlan mv1: Invalid argument');
    });
  });
}
