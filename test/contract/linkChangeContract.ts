/**
 * The contract suite of the second kernel port, LinkChangeSource: run against RtnlLinkMonitor on a real
 * kernel, in a throwaway netns (integration), and against the in-memory kernel's MemoryLinkChanges
 * (unit), so the fake reports what the kernel reports. It checks what DriftService relies on: kinds,
 * names and nsids of the changes, deletions, accounts that are equal exactly when the state is, the
 * nsids of followed namespaces, and silence after close().
 */
import type { LinkChange, LinkChangeSource } from '../../agent/src/domain/ports/LinkChangeSource';
import type { LinkDriver, NetnsRef } from '../../agent/src/domain/ports/LinkDriver';
import { ChangeRecorder } from './ChangeRecorder';
import { eventually } from './contractSupport';

/** A host whose `parent` is an Ethernet link, up with a carrier, and the sources that watch it. */
export interface LinkChangeFixture {
  /** Opens another source on the host (not started). */
  openSource(): LinkChangeSource;
  /** The host's driver: the changes the agent makes. */
  driver: LinkDriver;
  parent: string;
  /** Changes made behind the agent's back: `ip` on a real kernel, the test helpers in memory. */
  byHand: {
    /** A macvlan on the parent appears, down: on the host, or made right in a container's netns. */
    addLink(name: string, netns?: NetnsRef): Promise<void>;
    deleteLink(name: string, netns?: NetnsRef): Promise<void>;
    setLinkDown(name: string): Promise<void>;
    /** A fresh container netns, with only its loopback, that the host netns has no nsid for. */
    addNetns(): Promise<NetnsRef>;
    removeNetns(netns: NetnsRef): Promise<void>;
  };
  cleanup(): Promise<void>;
}

const isLink =
  (ifname: string, nsid: LinkChange['nsid'] = 'current') =>
  (c: LinkChange) =>
    c.what === 'link' && c.ifname === ifname && c.nsid === nsid;

/** Declares the LinkChangeSource contract for the host `makeHost` builds (a fresh one per test). */
export function describeLinkChangeContract(name: string, makeHost: () => Promise<LinkChangeFixture>): void {
  describe(`${name}: the LinkChangeSource contract`, () => {
    let host: LinkChangeFixture;
    let sources: LinkChangeSource[];

    beforeEach(async () => {
      host = await makeHost();
      sources = [];
    });

    afterEach(async () => {
      for (const source of sources) source.close();
      await host.driver.close();
      await host.cleanup();
    });

    /** A started source that hears the kernel already. */
    const record = async () => {
      const source = host.openSource();
      sources.push(source);
      const recorder = new ChangeRecorder(source, (marker) => host.byHand.addLink(marker));
      await recorder.listening();
      return recorder;
    };
    const macvlan = (name: string) =>
      host.driver.createMacvlan({ name, parent: host.parent, mode: 'bridge', alias: `mvnet:${name}` });
    const operState = async (name: string) => (await host.driver.getLink(name))?.operState;

    it('reports a link made by hand on the host as a link, not deleted, by its name, in the current netns', async () => {
      const changes = await record();
      await host.byHand.addLink('mv0');
      const added = await changes.next('mv0 added', (c) => c.ifname === 'mv0');
      expect(added).toMatchObject({ nsid: 'current', what: 'link', deleted: false, ifname: 'mv0' });
    });

    it('reports a change after the call that made it returns, never inside it', async () => {
      const changes = await record();
      const before = changes.changes.length;
      const made = macvlan('mv0'); // the call has run up to its first await
      expect(changes.changes.length).toBe(before);
      await made;
      await changes.next('mv0 added', isLink('mv0'), before);
    });

    it('reports a link the driver makes and one made by hand, each deleted, as deleted', async () => {
      const changes = await record();
      await macvlan('mv0');
      await host.byHand.addLink('mv1');
      await changes.barrier();
      await host.driver.deleteLink('mv0');
      await host.byHand.deleteLink('mv1');
      for (const ifname of ['mv0', 'mv1']) {
        const gone = await changes.next(`${ifname} deleted`, (c) => isLink(ifname)(c) && c.deleted);
        expect(gone).toMatchObject({ nsid: 'current', what: 'link', deleted: true, ifname });
      }
    });

    it('gives a link set down another account than up, and the same account when it is up again', async () => {
      const changes = await record();
      await macvlan('mv0');
      await host.driver.setLinkUp('mv0');
      await eventually(() => operState('mv0'), 'UP', 10_000);
      await changes.barrier();
      const up = changes.lastDetail('mv0');
      await host.byHand.setLinkDown('mv0');
      await eventually(() => operState('mv0'), 'DOWN', 10_000);
      await changes.barrier();
      const down = changes.lastDetail('mv0');
      await host.driver.setLinkUp('mv0');
      await eventually(() => operState('mv0'), 'UP', 10_000);
      await changes.barrier();
      expect(up).toBeDefined();
      expect(down).not.toBe(up);
      expect(changes.lastDetail('mv0')).toBe(up);
    });

    it('gives a link put in promiscuous mode another account', async () => {
      const changes = await record();
      await macvlan('mv0');
      await changes.barrier();
      const before = changes.lastDetail('mv0');
      await host.driver.setPromiscuous('mv0', true);
      await changes.barrier();
      expect(before).toBeDefined();
      expect(changes.lastDetail('mv0')).not.toBe(before);
    });

    it('reports an address added as an address of its link', async () => {
      const changes = await record();
      await host.driver.addAddress(host.parent, '10.9.0.1/24');
      const added = await changes.next(
        'the address',
        (c) => c.what === 'address' && c.ifname === host.parent,
      );
      expect(added).toMatchObject({ nsid: 'current', deleted: false });
    });

    it('reports nothing of a container netns it does not follow', async () => {
      const changes = await record();
      const netns = await host.byHand.addNetns();
      await host.byHand.addLink('cm0', netns);
      await host.byHand.deleteLink('cm0', netns);
      await changes.barrier();
      expect(changes.changes.filter((c) => c.ifname === 'cm0')).toEqual([]);
    });

    it('follows a container netns under an nsid, and reports a link deleted there under that nsid', async () => {
      const changes = await record();
      const netns = await host.byHand.addNetns();
      await host.byHand.addLink('cm0', netns);
      const nsid = await changes.source.follow(netns);
      expect(nsid).toEqual(expect.any(Number));
      await host.byHand.deleteLink('cm0', netns);
      const gone = await changes.next('cm0 deleted', (c) => isLink('cm0', nsid)(c) && c.deleted);
      expect(gone).toMatchObject({ nsid, what: 'link', deleted: true, ifname: 'cm0' });
    });

    it("reports an endpoint's link deleted in its followed netns under the name the attach gave it", async () => {
      const changes = await record();
      const netns = await host.byHand.addNetns();
      const nsid = await changes.source.follow(netns);
      await host.driver.attachEndpoint({
        tmpName: 'mvtmp0',
        parent: host.parent,
        mode: 'bridge',
        mac: '02:00:00:00:00:01',
        alias: 'mvnet:net1',
        netns,
        ifname: 'eth0',
        addresses: ['10.9.0.2/24'],
        gateways: ['10.9.0.1'],
      });
      await host.byHand.deleteLink('eth0', netns);
      const gone = await changes.next('eth0 deleted', (c) => isLink('eth0', nsid)(c) && c.deleted);
      expect(gone).toMatchObject({ nsid, deleted: true });
    });

    it('gives a netns followed again, by this source or another, the nsid it has', async () => {
      const [first, second] = [host.openSource(), host.openSource()];
      sources.push(first, second);
      const [a, b] = [await host.byHand.addNetns(), await host.byHand.addNetns()];
      const nsidA = await first.follow(a);
      const nsidB = await first.follow(b);
      expect(nsidB).not.toBe(nsidA);
      expect(await first.follow(a)).toBe(nsidA);
      expect(await second.follow(a)).toBe(nsidA);
    });

    it('answers undefined when asked to follow a netns that is gone', async () => {
      const source = host.openSource();
      sources.push(source);
      const netns = await host.byHand.addNetns();
      await host.byHand.removeNetns(netns);
      expect(await source.follow(netns)).toBeUndefined();
    });

    it('reports nothing after close(), not even what was waiting, while another source still hears the kernel', async () => {
      const closing = await record();
      const witness = await record();
      const adding = host.byHand.addLink('mv0');
      // This thread sleeps while mv0 is made and reported: the report waits unread when close() comes.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
      const reportedAtClose = closing.changes.length;
      closing.source.close();
      await adding;
      await host.byHand.addLink('mv1');
      await witness.next('mv1 added', isLink('mv1'));
      await witness.barrier();
      await new Promise((r) => setTimeout(r, 200)); // what a closed source might still let through
      expect(closing.changes.length).toBe(reportedAtClose);
    });
  });
}
