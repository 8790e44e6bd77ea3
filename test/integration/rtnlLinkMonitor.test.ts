/**
 * RtnlLinkMonitor on this kernel, beyond the contract: what it does when changes come faster than it
 * reads (a burst that overruns its socket), when it is closed in the middle of one, when its reader
 * ends, when a process forges notifications or one cannot be read, when a notification is larger than
 * 64 KiB, when the host netns has an nsid for itself, and that follow() does nothing on its caller's
 * turn. Each test gets a throwaway host netns. Needs root.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import type { LinkChange } from '../../agent/src/domain/ports/LinkChangeSource';
import { libc, AF_NETLINK, NETLINK_ROUTE, SOCK_CLOEXEC, SOCK_RAW } from '../../agent/src/kernel/libc';
import { DatagramReader, type DatagramHandlers } from '../../agent/src/kernel/netlink/DatagramReader';
import { attr, cString } from '../../agent/src/kernel/netlink/netlinkMessage';
import { RtnlLinkMonitor, type RtnlLinkMonitorOptions } from '../../agent/src/kernel/netlink/RtnlLinkMonitor';
import { onThreadIn } from '../../agent/src/kernel/netlink/threadNetns';
import { addNetns, deleteNetns } from '../../tools/netns';
import { makeNetnsHost, type NetnsHost } from '../support/netnsHost';
import { uniqueNetnsName } from '../support/netnsPrefix';
import { waitFor } from '../support/waitFor';

const BURST = 5000;

/** Open fds of this process that are sockets or eventfds (the monitor's two). */
const monitorFds = () =>
  fs
    .readdirSync('/proc/self/fd')
    .map((fd) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return '';
      }
    })
    .filter((target) => target.startsWith('socket:') || target === 'anon_inode:[eventfd]').length;

describe('RtnlLinkMonitor on this kernel', () => {
  let host: NetnsHost;
  let monitor: RtnlLinkMonitor | undefined;
  let changes: LinkChange[];
  let gaps: number;
  let warnings: string[];
  let markers = 0;

  beforeEach(async () => {
    host = await makeNetnsHost('rtnlmon');
    host.ip('link', 'add', 'link', 'eth0', 'name', 'mv0', 'type', 'macvlan');
    host.ip('link', 'set', 'mv0', 'up'); // the kernel tells of a link's alias only while it is up
    [changes, gaps, warnings] = [[], 0, []];
  });

  afterEach(async () => {
    monitor?.close();
    monitor = undefined;
    await host.cleanup();
  });

  const logger = {
    info: () => undefined,
    debug: () => undefined,
    warn: (obj: object, msg?: string) => warnings.push(`${msg} ${JSON.stringify(obj)}`),
  };

  /** A started monitor on the host, once it hears the kernel (a marker link made by hand is reported). */
  const listen = async (opts: Partial<RtnlLinkMonitorOptions> = {}) => {
    monitor = new RtnlLinkMonitor({ netns: host.ns, logger, ...opts });
    monitor.start(
      (change) => changes.push(change),
      () => gaps++,
    );
    await heard();
    return monitor;
  };

  /** Makes a marker link by hand and waits for its report. */
  const heard = async () => {
    const name = `mark${++markers}`;
    host.ip('link', 'add', 'link', 'eth0', 'name', name, 'type', 'macvlan');
    await waitFor(`the marker ${name}`, () => changes.some((c) => c.ifname === name));
  };

  /** `ip -batch` setting mv0's alias BURST times (a notification each), running on its own. */
  const burst = () => {
    const lines = Array.from({ length: BURST }, (_, i) => `link set dev mv0 alias burst${i}\n`).join('');
    const child = spawn('ip', ['-n', host.ns, '-batch', '-'], { stdio: ['pipe', 'ignore', 'inherit'] });
    child.stdin.end(lines);
    return new Promise<number | null>((resolve) => child.on('exit', resolve));
  };
  const burstReports = () => changes.filter((c) => c.ifname === 'mv0').length;

  it('tells of a gap when a burst overruns its socket, and goes on hearing the kernel', async () => {
    await listen({ receiveBufferBytes: 4096, maxUnread: 4 });
    const done = burst();
    // The agent's thread is held up: the reader hands over 4 datagrams, then the socket fills.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);
    expect(await done).toBe(0);
    await waitFor('a gap', () => gaps > 0);
    expect(burstReports()).toBeLessThan(BURST);
    expect(warnings.join('\n')).toMatch(/kernel notifications lost.*overrun/);
    await heard();
  });

  it('reads a notification past 64 KiB whole (a link with 62 KiB of altnames), no gap', async () => {
    const altnames = Array.from(
      { length: 490 },
      (_, i) => `link property add dev mv0 altname a${i}${'x'.repeat(120)}\n`,
    );
    execFileSync('ip', ['-n', host.ns, '-batch', '-'], { input: altnames.join('') });
    await listen();
    host.ip('link', 'set', 'mv0', 'alias', 'large');
    const large = await waitFor('mv0 reported', () => changes.find((c) => c.ifname === 'mv0'));
    expect(large.detail).toContain('alias="large"');
    expect(gaps).toBe(0);
  });

  it('reports nothing after close() in the middle of a burst, and frees its socket and its thread', async () => {
    const before = monitorFds();
    await listen();
    const done = burst();
    await waitFor('the burst under way', () => burstReports() > 0);
    monitor!.close();
    const atClose = changes.length;
    expect(await done).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(changes.length).toBe(atClose);
    await waitFor('its fds closed', () => monitorFds() === before);
  });

  it('starts a reader that ended again, tells of the gap, and hears what happens after', async () => {
    let started = 0;
    const startReader = (fd: number, handlers: DatagramHandlers, maxUnread: number) => {
      if (++started > 1) return new DatagramReader(fd, handlers, maxUnread);
      // The first reader gets a file that is no socket in place of its socket: its recvmsg() fails.
      fs.closeSync(fd);
      return new DatagramReader(fs.openSync('/dev/null', 'r'), handlers, maxUnread);
    };
    monitor = new RtnlLinkMonitor({ netns: host.ns, logger, startReader });
    monitor.start(
      (change) => changes.push(change),
      () => gaps++,
    );
    await waitFor('a gap', () => gaps > 0);
    expect(started).toBe(2);
    expect(warnings[0]).toMatch(/^kernel monitor stopped: .*recvmsg: errno 88/);
    await heard();
  });

  it('takes a notification it cannot read (an attribute cut short) as a gap, and reads on', async () => {
    let handlers: DatagramHandlers | undefined;
    const startReader = (fd: number, h: DatagramHandlers, maxUnread: number) => {
      handlers = h;
      return new DatagramReader(fd, h, maxUnread);
    };
    await listen({ startReader });
    const name = attr(3, cString('cut0')); // IFLA_IFNAME
    name.writeUInt16LE(200, 0); // its length runs 190 bytes past the message
    const bytes = Buffer.concat([Buffer.alloc(16), Buffer.alloc(16), name]);
    bytes.writeUInt32LE(bytes.length, 0); // nlmsghdr: length, RTM_NEWLINK
    bytes.writeUInt16LE(16, 4);
    handlers!.onBatch([{ nsid: 3, bytes }]);
    expect(gaps).toBe(1);
    expect(warnings.join('\n')).toMatch(/^unreadable kernel notification: re-reading the kernel/);
    await heard();
    expect(changes.filter((c) => c.ifname === 'cut0')).toEqual([]);
  });

  it('hears only the kernel: a notification a process sends to the link group is not reported', async () => {
    await listen();
    const nsFd = fs.openSync(`/var/run/netns/${host.ns}`, 'r');
    const fd = onThreadIn({ fd: nsFd }, () =>
      libc().socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE),
    );
    fs.closeSync(nsFd);
    try {
      const body = Buffer.concat([Buffer.alloc(16), attr(3, cString('forged0'))]); // ifinfomsg, IFLA_IFNAME
      const header = Buffer.alloc(16);
      header.writeUInt32LE(16 + body.length, 0);
      header.writeUInt16LE(16, 4); // RTM_NEWLINK
      const message = Buffer.concat([header, body]);
      const to = Buffer.alloc(12); // sockaddr_nl: AF_NETLINK, port 0 (the kernel), groups: RTNLGRP_LINK
      to.writeUInt16LE(AF_NETLINK, 0);
      to.writeUInt32LE(1, 8);
      expect(libc().sendto(fd, message, message.length, 0, to, to.length)).toBe(message.length);
    } finally {
      libc().close(fd);
    }
    await heard(); // made after the forgery: reported after it, had it been reported
    expect(changes.filter((c) => c.ifname === 'forged0')).toEqual([]);
  });

  it("reports the host netns's changes as its own once the host netns has an nsid for itself", async () => {
    await listen();
    host.ip('netns', 'set', host.ns, '7'); // the host netns now knows itself by an nsid
    await heard();
    expect(changes.at(-1)?.nsid).toBe('current');
    expect(changes.some((c) => c.nsid === 7)).toBe(false);
  });

  it('reports a link deleted in a netns that got its nsid from someone else, under that nsid', async () => {
    await listen();
    const container = uniqueNetnsName('ctr');
    await addNetns(container);
    try {
      host.ip('netns', 'set', container, 'auto');
      const line = host
        .ip('netns', 'list-id')
        .split('\n')
        .find((l) => l.includes(container));
      const nsid = Number(/^nsid (\d+)/.exec(line ?? '')?.[1]);
      host.ip('link', 'add', 'link', 'eth0', 'name', 'cm0', 'netns', container, 'type', 'macvlan');
      execFileSync('ip', ['-n', container, 'link', 'del', 'cm0']);
      const gone = await waitFor('cm0 deleted', () => changes.find((c) => c.ifname === 'cm0' && c.deleted));
      expect(gone.nsid).toBe(nsid);
    } finally {
      await deleteNetns(container);
    }
  });

  it("gives a netns its nsid on a later turn, not on the caller's", async () => {
    monitor = new RtnlLinkMonitor({ netns: host.ns, logger });
    const container = uniqueNetnsName('ctr');
    await addNetns(container);
    try {
      const following = monitor.follow({ name: container });
      expect(host.ip('netns', 'list-id')).not.toContain(container);
      const nsid = await following;
      expect(nsid).toEqual(expect.any(Number));
      expect(host.ip('netns', 'list-id')).toContain(`nsid ${nsid} `);
    } finally {
      await deleteNetns(container);
    }
  });
});
