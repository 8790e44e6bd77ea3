/**
 * An Apply whose agent dies part way, on the in-memory kernel: the kernel call after which it "dies"
 * never returns, and a new agent opens the same state on the same kernel (openHost: the journal's
 * undo, then the restore). Whatever step it died at, the host comes back as before the Apply, to the
 * MAC and the address, and nothing of the journal is left.
 */
import { openHost } from '../../agent/src/openHost';
import type { DriverMethod } from '../../agent/src/kernel/memory/InjectedFailures';
import { silentLogger } from '../support/memoryHost';
import { ep, makeApplyHost, net, request, snapshotOf, spec, type ApplyHost } from '../support/applyHost';

const CONTAINERS = [{ name: 'c1' }, { name: 'c2' }, { name: 'c3' }];
const from = spec(
  [net('n', 1, { parent: 'eth0.10', hostAccess: true }), net('old', 2)],
  [ep('c1', 'n'), ep('c2', 'n', { ipv4Address: '192.168.1.20' }), ep('c3', 'old')],
);
const to = spec(
  [
    net('n', 1, {
      parent: 'eth0.10',
      hostAccess: true,
      subnets: [{ ...net('', 1).subnets[0], gateway: '192.168.1.254' }],
    }),
    net('m', 3, { parent: 'eth0', promiscuous: true }),
  ],
  [ep('c1', 'n'), ep('c2', 'n'), ep('c3', 'm', { ipv4Address: '192.168.3.9' })],
);

/** What "as before" compares: the kernel, and the records and leases (a restore's repairs take revisions). */
async function hostAsSeen(host: Parameters<typeof snapshotOf>[0]) {
  const { hostLinks, hostRoutes, inContainers, networks, endpoints, leases, pending } = await snapshotOf(
    host,
    CONTAINERS,
  );
  return {
    hostLinks,
    hostRoutes,
    inContainers,
    networks: networks.map((n) => n.spec),
    endpoints: endpoints.map((e) => [e.spec, e.status.state]),
    leases,
    pending,
  };
}

describe('an Apply whose agent dies part way', () => {
  let h: ApplyHost;
  beforeEach(async () => {
    h = await makeApplyHost();
    await h.apply.apply(request(from));
  });
  afterEach(() => h.close());

  it.each<[DriverMethod, number, string]>([
    ['detachEndpoint', 2, 'after the second detach'],
    ['deleteLink', 1, 'half way through a network’s removal'],
    ['createVlan', 1, 'after a sub-interface is made, before it is up'],
    ['setPromiscuous', 1, 'after promiscuous mode went on'],
    ['attachEndpoint', 2, 'after the second attach'],
    ['attachEndpoint', 3, 'after the last attach, before the commit'],
  ])('comes back as before when it dies in %s call %i (%s)', async (method, n, _when) => {
    const before = await hostAsSeen(h.host);
    const { driver } = h.host;
    const real = (driver[method] as (...args: unknown[]) => Promise<unknown>).bind(driver);
    let calls = 0;
    let died!: () => void;
    const dead = new Promise<void>((resolve) => (died = resolve));
    jest.spyOn(driver, method as never).mockImplementation((async (...args: unknown[]) => {
      const result = await real(...args);
      if (++calls < n) return result;
      died();
      return new Promise(() => undefined); // the agent is gone: this call never returns
    }) as never);
    void h.apply.apply(request(to));
    await dead;
    jest.restoreAllMocks();
    expect(await hostAsSeen(h.host)).not.toEqual(before); // it did die part way
    expect(h.host.store.pendingOps()).toHaveLength(1);
    h.apply.stop();
    h.host.store.close();

    const opened = await openHost({
      stateDir: h.host.stateDir,
      driver,
      logger: silentLogger,
      bootId: 'boot-1',
    });
    try {
      expect(await hostAsSeen({ driver, store: opened.state })).toEqual(before);
    } finally {
      opened.state.close();
    }
    expect((await driver.getLink('eth0'))?.promiscuous).toBe(false);
  });
});
