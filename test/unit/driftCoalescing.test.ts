import type { HostServices } from '../../agent/src/app/createHostServices';
import type { LinkChange, LinkChangeSource } from '../../agent/src/domain/ports/LinkChangeSource';
import {
  endpointInput,
  makeMemoryHost,
  networkInput,
  memoryHostServices,
  type MemoryHost,
} from '../support/memoryHost';
import { waitFor } from '../support/waitFor';

/** A source the test speaks for: it reports what the test tells it, and nothing of the kernel's own. */
class ScriptedChanges implements LinkChangeSource {
  change: (change: LinkChange) => void = () => undefined;
  gap: () => void = () => undefined;
  start(onChange: (change: LinkChange) => void, onGap: () => void): void {
    [this.change, this.gap] = [onChange, onGap];
  }
  async follow(): Promise<number | undefined> {
    return undefined;
  }
  close(): void {}
}

const hostLink = (n: number): LinkChange => ({
  nsid: 'current',
  what: 'link',
  deleted: false,
  ifname: `foreign${n}`,
  detail: `link foreign${n} account ${n}`,
});

/**
 * DriftService without a debounce: a pass on the next turn takes every change noted by then, and
 * changes noted during a pass make exactly one more. Passes are counted by the network statuses they
 * refresh (once per pass that looks at the host).
 */
describe('DriftService: coalescing what is queued, on the in-memory kernel', () => {
  let host: MemoryHost;
  let services: HostServices;
  let source: ScriptedChanges;
  let passes: number;

  /** Waits until the event loop has run `turns` times over (a pass is long over by then). */
  const settle = async (turns = 20) => {
    for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
  };

  beforeEach(async () => {
    host = await makeMemoryHost({ links: [{ name: 'eth0', mtu: 1500 }] });
    source = new ScriptedChanges();
    services = await memoryHostServices(host, source);
    await services.start();
    await services.networks.createNetwork(networkInput({ name: 'mvnet', parent: 'eth0' }));
    await settle(); // the first network starts the monitor, with one pass over everything
    passes = 0;
    const refresh = services.networks.refreshAllHeld.bind(services.networks);
    jest.spyOn(services.networks, 'refreshAllHeld').mockImplementation(() => {
      passes++;
      return refresh();
    });
  });

  afterEach(() => {
    services.stop();
    host.close();
  });

  it('makes one pass for a burst of changes reported in one turn', async () => {
    for (let n = 0; n < 500; n++) source.change(hostLink(n));
    await waitFor('a pass', () => passes > 0);
    await settle();
    expect(passes).toBe(1);
  });

  it('makes exactly one more pass for the changes reported while a pass runs', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const listLinks = host.driver.listLinks.bind(host.driver);
    jest.spyOn(host.driver, 'listLinks').mockImplementationOnce(async () => {
      const links = await listLinks();
      await held; // the first pass stays inside its host read
      return links;
    });
    source.change(hostLink(0));
    await waitFor('the first pass', () => (host.driver.listLinks as jest.Mock).mock.calls.length === 1);
    for (let n = 1; n < 100; n++) {
      source.change(hostLink(n));
      await settle(1);
    }
    release();
    await waitFor('the second pass', () => passes === 2);
    await settle();
    expect(passes).toBe(2);
  });

  it('makes no pass for a host link reported again with the same account', async () => {
    source.change(hostLink(0));
    await waitFor('a pass', () => passes === 1);
    for (let n = 0; n < 10; n++) source.change(hostLink(0));
    await settle();
    expect(passes).toBe(1);
  });

  it('checks every endpoint after a gap, and re-attaches one whose link went unreported', async () => {
    host.driver.addNetnsBehindBack({ name: 'c1' });
    await services.endpoints.createEndpoint(endpointInput({ network: 'mvnet', name: 'c1', netns: 'c1' }));
    host.driver.removeLinkBehindBack('eth0', { name: 'c1' }); // the source tells nothing of it
    const revision = host.store.revision();
    source.gap();
    await waitFor('c1 re-attached', async () =>
      (await host.driver.listLinkNamesIn({ name: 'c1' })).includes('eth0'),
    );
    await waitFor('its DRIFT event', () => host.store.eventsAfter(revision).some((e) => e.type === 'DRIFT'));
  });

  it('checks, for a link deleted in a netns it never followed, the endpoints of that name only', async () => {
    for (const name of ['c1', 'c2']) {
      host.driver.addNetnsBehindBack({ name });
      await services.endpoints.createEndpoint(endpointInput({ network: 'mvnet', name, netns: name }));
    }
    host.driver.removeLinkBehindBack('eth0', { name: 'c2' });
    const revision = host.store.revision();
    source.change({ nsid: 99, what: 'link', deleted: true, ifname: 'eth0', detail: 'link eth0' });
    await waitFor('c2 re-attached', async () =>
      (await host.driver.listLinkNamesIn({ name: 'c2' })).includes('eth0'),
    );
    await settle();
    const drift = host.store.eventsAfter(revision).filter((e) => e.type === 'DRIFT');
    expect(drift.map((e) => e.name)).toEqual(['c2']);
  });
});
