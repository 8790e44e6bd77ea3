/**
 * The namespace part of the LinkDriver contract: a container's netns is entered only when it is a
 * network namespace, never the host's own, and only the one an endpoint was attached into when the
 * agent asks for that one; on both kernels alike, with the same words.
 */
import { NetnsReplacedError } from '../../agent/src/domain/errors';
import type { AttachEndpointOptions, LinkDriver, NetnsRef } from '../../agent/src/domain/ports/LinkDriver';
import {
  ContainerFixture,
  LinkDriverFixture,
  linkNames,
  NotANetns,
  preconditionErrorOf,
  useFreshFixture,
} from './contractSupport';

const KINDS: NotANetns[] = ['fifo', 'regular file', 'device', 'symlink to a netns'];

/** Declares the namespace cases of the contract for the driver `makeDriver` builds. */
export function describeNetnsContract(name: string, makeDriver: () => Promise<LinkDriverFixture>): void {
  describe(`${name}: the LinkDriver contract for the namespaces it enters`, () => {
    const fixture = useFreshFixture(makeDriver);
    let driver: LinkDriver;
    let containers: ContainerFixture;

    beforeEach(() => {
      ({ driver, containers } = fixture());
    });

    const endpoint = (netns: NetnsRef, more: Partial<AttachEndpointOptions> = {}): AttachEndpointOptions => ({
      tmpName: 'mvtmp0',
      parent: fixture().parent,
      mode: 'bridge',
      mac: '02:00:00:00:0c:02',
      alias: 'mvnet:net1/c',
      netns,
      ifname: 'eth0',
      addresses: ['192.168.12.2/24'],
      gateways: [],
      ...more,
    });

    it.each(KINDS)('refuses a %s under /var/run/netns for every operation, making nothing', async (kind) => {
      const ref = await containers.addNotANetns(kind);
      const hostBefore = await linkNames(driver);
      const words = `netns ${ref.name} is not a network namespace`;
      expect((await preconditionErrorOf(driver.attachEndpoint(endpoint(ref)))).message).toBe(words);
      expect((await preconditionErrorOf(driver.netnsInstance(ref))).message).toBe(words);
      expect((await preconditionErrorOf(driver.netnsExists(ref))).message).toBe(words);
      expect((await preconditionErrorOf(driver.inspectEndpoint(ref, 'eth0'))).message).toBe(words);
      expect((await preconditionErrorOf(driver.listLinkNamesIn(ref))).message).toBe(words);
      expect((await preconditionErrorOf(driver.detachEndpoint(ref, 'eth0', 'mvnet:net1/c'))).message).toBe(
        words,
      );
      expect((await preconditionErrorOf(driver.removeTempLink(ref, 'mvtmp0'))).message).toBe(words);
      expect(await linkNames(driver)).toEqual(hostBefore);
    });

    it("refuses the host's own namespace, named by a pid in it", async () => {
      const host = containers.hostPid();
      const hostBefore = await linkNames(driver);
      const words = `netns pid:${host.pid} is the host's own network namespace: the agent attaches containers, never the host`;
      expect((await preconditionErrorOf(driver.attachEndpoint(endpoint(host)))).message).toBe(words);
      expect((await preconditionErrorOf(driver.netnsInstance(host))).message).toBe(words);
      expect((await preconditionErrorOf(driver.netnsExists(host))).message).toBe(words);
      expect((await preconditionErrorOf(driver.listLinkNamesIn(host))).message).toBe(words);
      expect(await linkNames(driver)).toEqual(hostBefore);
    });

    it('never opens a path an earlier agent stored', async () => {
      const stored = { path: '/var/lib/somewhere/ns' };
      const err = await preconditionErrorOf(driver.netnsInstance(stored));
      expect(err.message).toMatch(/^netns "\/var\/lib\/somewhere\/ns" is a path this agent does not open/);
      await preconditionErrorOf(driver.attachEndpoint(endpoint(stored)));
    });

    it('tells namespaces apart: one made anew under the same name is another', async () => {
      const c1 = await containers.addNamed();
      const before = await driver.netnsInstance(c1);
      expect(before).toMatchObject({ dev: expect.any(Number), ino: expect.any(Number) });
      expect(await driver.attachEndpoint(endpoint(c1))).toEqual(before);
      expect((await driver.inspectEndpoint(c1, 'eth0')).netnsInstance).toEqual(before);
      await containers.recreate(c1);
      expect(await driver.netnsInstance(c1)).not.toEqual(before);
      expect(await driver.netnsInstance(containers.missing())).toBeUndefined();
    });

    it('attaches only into the namespace asked for, and detaches only there', async () => {
      const c1 = await containers.addNamed();
      const first = await driver.attachEndpoint(endpoint(c1));
      await containers.recreate(c1);
      const err = await driver
        .attachEndpoint(endpoint(c1, { netnsInstance: first }))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetnsReplacedError);
      expect((err as Error).message).toBe(
        `netns ${c1.name} is now another namespace than the endpoint's: not attached there`,
      );
      expect(await driver.listLinkNamesIn(c1)).toEqual(['lo']);
      const second = await driver.attachEndpoint(endpoint(c1));
      await driver.detachEndpoint(c1, 'eth0', 'mvnet:net1/c', first);
      expect((await driver.listLinkNamesIn(c1)).sort()).toEqual(['eth0', 'lo']);
      await driver.detachEndpoint(c1, 'eth0', 'mvnet:net1/c', second);
      expect(await driver.listLinkNamesIn(c1)).toEqual(['lo']);
    });
  });
}
