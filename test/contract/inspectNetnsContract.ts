/**
 * The whole-namespace read of the LinkDriver contract (inspectNetns): every link of a container's
 * netns in one look, as inspectEndpoint sees each of them, with which namespace it is; refused where
 * inspectEndpoint is refused, with the same words; on both drivers alike.
 */
import type { AttachEndpointOptions, LinkDriver, NetnsRef } from '../../agent/src/domain/ports/LinkDriver';
import {
  ContainerFixture,
  eventually,
  LinkDriverFixture,
  preconditionErrorOf,
  useFreshFixture,
} from './contractSupport';

/** Declares the inspectNetns cases of the contract for the driver `makeDriver` builds. */
export function describeInspectNetnsContract(
  name: string,
  makeDriver: () => Promise<LinkDriverFixture>,
): void {
  describe(`${name}: the LinkDriver contract for reading a whole netns`, () => {
    const fixture = useFreshFixture(makeDriver);
    let driver: LinkDriver;
    let containers: ContainerFixture;

    beforeEach(() => {
      ({ driver, containers } = fixture());
    });

    const attach = (netns: NetnsRef, ifname: string, n: number, more: Partial<AttachEndpointOptions> = {}) =>
      driver.attachEndpoint({
        tmpName: `mvtmp${n}`,
        parent: fixture().parent,
        mode: 'bridge',
        mac: `02:00:00:00:0d:0${n}`,
        alias: `mvnet:net${n}/c`,
        netns,
        ifname,
        addresses: [`192.168.13.${n + 1}/24`],
        gateways: [],
        ...more,
      });

    it('reads every link of a netns in one look, each as inspectEndpoint sees it', async () => {
      const c1 = await containers.addNamed();
      await attach(c1, 'eth0', 1);
      await attach(c1, 'eth1', 2, { mode: 'private' });
      await containers.addForeignLink(c1, 'eth2');
      await eventually(async () => (await driver.inspectEndpoint(c1, 'eth1')).link?.operState, 'UP');
      const seen = await driver.inspectNetns(c1);
      expect(seen.netnsExists).toBe(true);
      expect(seen.netnsInstance).toEqual(await driver.netnsInstance(c1));
      const names = seen.links.map((l) => l.name).sort();
      expect(names).toEqual((await driver.listLinkNamesIn(c1)).sort());
      expect(names).toEqual(expect.arrayContaining(['eth0', 'eth1', 'eth2', 'lo']));
      for (const ifname of ['eth0', 'eth1', 'eth2']) {
        const link = seen.links.find((l) => l.name === ifname);
        expect((await driver.inspectEndpoint(c1, ifname)).link).toEqual({
          ...link,
          addresses: expect.any(Array),
        });
      }
      expect(seen.links.find((l) => l.name === 'eth1')).toMatchObject({
        kind: 'macvlan',
        macvlanMode: 'private',
        alias: 'mvnet:net2/c',
        mac: '02:00:00:00:0d:02',
        adminUp: true,
      });
      // The lower is on the host: seen from the container, an endpoint's macvlan has no parent.
      expect(seen.links.find((l) => l.name === 'eth0')?.parent).toBeUndefined();
      expect(seen.links.find((l) => l.name === 'eth2')?.alias).toBeUndefined();
    });

    it('reads a netns by pid, and a missing one as a netns with no links', async () => {
      const byPid = await containers.addByPid();
      await attach(byPid, 'eth3', 3);
      const seen = await driver.inspectNetns(byPid);
      expect(seen.netnsInstance).toEqual(await driver.netnsInstance(byPid));
      expect(seen.links.find((l) => l.name === 'eth3')?.alias).toBe('mvnet:net3/c');
      expect(await driver.inspectNetns(containers.missing())).toEqual({ netnsExists: false, links: [] });
    });

    it("refuses a file that is no network namespace, and the host's own, as inspectEndpoint does", async () => {
      const fifo = await containers.addNotANetns('fifo');
      const host = containers.hostPid();
      for (const ref of [fifo, host]) {
        const words = (await preconditionErrorOf(driver.inspectEndpoint(ref, 'eth0'))).message;
        expect((await preconditionErrorOf(driver.inspectNetns(ref))).message).toBe(words);
      }
    });
  });
}
