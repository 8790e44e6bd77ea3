import type { LinkChange } from '../../agent/src/domain/ports/LinkChangeSource';
import type { NetnsRef } from '../../agent/src/domain/ports/LinkDriver';
import { MemoryDriver } from '../../agent/src/kernel/memory/MemoryDriver';
import { describeLinkChangeContract, type LinkChangeFixture } from '../contract/linkChangeContract';

/** The in-memory kernel as the host; changes by hand are its test helpers. */
async function memoryHost(): Promise<LinkChangeFixture> {
  const driver = new MemoryDriver({ links: [{ name: 'eth0', kind: '', mtu: 1500 }] });
  let made = 0;
  return {
    openSource: () => driver.linkChanges(),
    driver,
    parent: 'eth0',
    byHand: {
      addLink: async (name: string, netns?: NetnsRef) => {
        const lower = netns === undefined ? { parent: 'eth0' } : {}; // moved away, it shows no parent
        driver.addLinkBehindBack(
          { name, kind: 'macvlan', macvlanMode: 'bridge', adminUp: false, ...lower },
          netns,
        );
      },
      deleteLink: async (name, netns) => driver.removeLinkBehindBack(name, netns),
      setLinkDown: async (name) => driver.setLinkDownBehindBack(name),
      addNetns: async () => {
        const netns = { name: `c${++made}` };
        driver.addNetnsBehindBack(netns);
        return netns;
      },
      removeNetns: async (netns) => driver.removeNetnsBehindBack(netns),
    },
    cleanup: async () => {},
  };
}

describeLinkChangeContract('MemoryLinkChanges', memoryHost);

/**
 * What this machine's kernel was seen to do, but not on a schedule a contract case can wait for: a
 * netns is cleaned up by a kernel worker some time after its last reference goes.
 */
describe('MemoryLinkChanges beyond the contract', () => {
  it('reports nothing of a followed netns that dies, and gives its nsid to the next netns followed', async () => {
    const driver = new MemoryDriver({ links: [{ name: 'eth0', kind: '', mtu: 1500 }] });
    const source = driver.linkChanges();
    const changes: LinkChange[] = [];
    source.start(
      (change) => changes.push(change),
      () => undefined,
    );
    driver.addNetnsBehindBack({ name: 'c1' });
    driver.addNetnsBehindBack({ name: 'c2' });
    driver.addNetnsBehindBack({ name: 'c3' });
    expect([await source.follow({ name: 'c1' }), await source.follow({ name: 'c2' })]).toEqual([0, 1]);
    driver.addLinkBehindBack({ name: 'cm0', kind: 'macvlan' }, { name: 'c1' });
    driver.removeNetnsBehindBack({ name: 'c1' });
    await new Promise((r) => setImmediate(r));
    expect(changes.map((c) => `${c.nsid} ${c.ifname}${c.deleted ? ' deleted' : ''}`)).toEqual(['0 cm0']);
    expect(await source.follow({ name: 'c3' })).toBe(0);
    source.close();
  });
});
