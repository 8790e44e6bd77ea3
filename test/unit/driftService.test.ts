import type { HostServices } from '../../agent/src/app/createHostServices';
import { makeMemoryHost, memoryHostServices, networkInput, type MemoryHost } from '../support/memoryHost';
import { waitFor } from '../support/waitFor';

/**
 * Drift on the in-memory kernel: the agent's services composed as the agent composes them, hearing
 * the kernel through MemoryLinkChanges. The 802.1q cases that this machine's kernel cannot run outside
 * the lab run here in milliseconds.
 */
describe("DriftService: changes behind the agent's back, on the in-memory kernel", () => {
  let host: MemoryHost;
  let services: HostServices;

  beforeEach(async () => {
    host = await makeMemoryHost();
    services = await memoryHostServices(host, host.driver.linkChanges());
    services.start();
    await services.networks.createNetwork(networkInput({ hostAccess: true }));
  });

  afterEach(() => {
    services.stop();
    host.close();
  });

  /** The DRIFT events logged after `revision`, as `NAME: MESSAGE`. */
  const driftAfter = (revision: number) =>
    host.store
      .eventsAfter(revision)
      .filter((e) => e.type === 'DRIFT')
      .map((e) => `${e.name}: ${e.message}`);

  it('makes an owned sub-interface deleted by hand again, with its mark, and logs a DRIFT event', async () => {
    const revision = host.store.revision();
    host.driver.removeLinkBehindBack('eth0.10');
    const link = await waitFor('eth0.10 made again', async () => host.driver.getLink('eth0.10'));
    expect(link).toMatchObject({ kind: 'vlan', vlanId: 10, alias: 'mvnet:macvlan10' });
    await waitFor('the DRIFT event', () => driftAfter(revision).length > 0);
    expect(driftAfter(revision)[0]).toMatch(/^macvlan10: eth0\.10 was missing: re-created/);
  });

  it('sets an owned sub-interface set down by hand up again, and logs a DRIFT event', async () => {
    const revision = host.store.revision();
    host.driver.setLinkDownBehindBack('eth0.10');
    await waitFor('eth0.10 up again', async () => (await host.driver.getLink('eth0.10'))?.adminUp);
    await waitFor('the DRIFT event', () => driftAfter(revision).length > 0);
    expect(driftAfter(revision)).toContain('macvlan10: eth0.10 was down: set up');
  });

  it("makes the host's shim deleted by hand again, and leaves a foreign link set down beside it down", async () => {
    host.driver.addLinkBehindBack({ name: 'theirs', kind: 'macvlan', parent: 'eth0.10' });
    const links = await host.driver.listLinks();
    const shim = links.find((l) => l.alias === 'mvnet:macvlan10' && l.kind === 'macvlan')!;
    const revision = host.store.revision();
    host.driver.removeLinkBehindBack(shim.name);
    host.driver.setLinkDownBehindBack('theirs');
    await waitFor('the DRIFT event', () => driftAfter(revision).length > 0);
    expect(driftAfter(revision)).toEqual([
      `macvlan10: host-access shim ${shim.name} was missing: re-created`,
    ]);
    expect(await host.driver.getLink(shim.name)).toMatchObject({ adminUp: true });
    expect(await host.driver.getLink('theirs')).toMatchObject({ adminUp: false });
  });
});

describe('drift repair on a host without networks: started by the first network', () => {
  it('starts the monitor only once a network exists, and checks everything once then', async () => {
    const host = await makeMemoryHost();
    const source = host.driver.linkChanges();
    const starts: number[] = [];
    const counted = {
      ...source,
      start: (onChange: Parameters<typeof source.start>[0], onGap: Parameters<typeof source.start>[1]) => {
        starts.push(host.store.revision());
        source.start(onChange, onGap);
      },
      follow: (netns: Parameters<typeof source.follow>[0]) => source.follow(netns),
      close: () => source.close(),
    };
    const services = await memoryHostServices(host, counted);
    try {
      await services.start();
      await new Promise((resolve) => setImmediate(resolve));
      expect(starts).toEqual([]); // nothing to watch
      await services.networks.createNetwork(networkInput({ hostAccess: true }));
      // Deleted before the monitor listens (it starts on the next turn): the first pass finds it.
      host.driver.removeLinkBehindBack('eth0.10');
      await waitFor('eth0.10 made again', async () => host.driver.getLink('eth0.10'));
      expect(starts).toHaveLength(1);
      await services.networks.createNetwork(
        networkInput({
          name: 'macvlan20',
          parent: 'eth0.20',
          subnets: [{ cidr: '192.168.20.0/24', gateway: '192.168.20.1', ipRange: '', auxAddresses: {} }],
        }),
      );
      expect(starts).toHaveLength(1);
    } finally {
      services.stop();
      host.close();
    }
  });
});
