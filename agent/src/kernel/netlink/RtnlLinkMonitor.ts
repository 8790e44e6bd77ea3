/**
 * The kernel's own notifications, through rtnetlink multicast: one NETLINK_ROUTE socket in the host
 * netns, joined to the link and address groups, listening to every netns that has an nsid there
 * (openMonitorSocket), read by a worker thread (DatagramReader: why a thread is in its header) and
 * read into LinkChanges on the agent's thread (readLinkChange), with no process and no text.
 *
 * A message comes with the nsid of its netns as a control message; one without it is the host
 * netns's own, "current" (even when the host netns has an nsid for itself, which `ip netns set` can
 * give: the kernel tags only the other namespaces' messages).
 *
 * Changes may be lost: the socket overruns (ENOBUFS: a burst larger than its buffer while the reader
 * is held up), a notification cannot be read, the reader dies. Each time onGap tells the domain to
 * re-read the kernel; a dead reader is started again, on a new socket, after a pause that doubles
 * while it keeps dying. close() ends the reader, which frees the socket once its thread is out.
 */
import type { KernelLogger } from '../kernelLogger';
import type { NetnsRef } from '../../domain/model';
import type { LinkChange, LinkChangeSource } from '../../domain/ports/LinkChangeSource';
import { NetnsOpener } from '../NetnsOpener';
import { hostNetnsFile } from '../resolveNetns';
import { DatagramReader, MAX_UNREAD, type DatagramHandlers } from './DatagramReader';
import { HostSocket } from './HostSocket';
import { getLinkByIndex, linkIndexOf, linkNameOf } from './linkMessages';
import { splitMessages, type Reply } from './netlinkMessage';
import { NsidFollower } from './NsidFollower';
import { MONITOR_RECEIVE_BUFFER, openMonitorSocket } from './openMonitorSocket';
import type { PumpEntry } from './pumpDatagrams';
import { readLinkChange, UnreadableMessage } from './readLinkChange';

const [RTM_NEWLINK, RTM_DELLINK] = [16, 17];
/** A reader that dies is started again after this pause, doubled each time it dies again, up to MAX. */
const RESTART_MS = 100;
const MAX_RESTART_MS = 5000;
/** Names of host links kept, by index, to name the link of an IPv6 address (it carries no label). */
const MAX_NAMES = 4096;

export interface RtnlLinkMonitorOptions {
  /** The named netns that is the agent's host; the agent's own when undefined. */
  netns?: string;
  logger?: KernelLogger;
  /** The socket's receive buffer (default MONITOR_RECEIVE_BUFFER); tests make it small, to overrun it. */
  receiveBufferBytes?: number;
  /** Datagrams handed over and not yet handled, past which the reader waits (default MAX_UNREAD). */
  maxUnread?: number;
  /** Starts the reader of a socket; tests wrap it, to end a reader as a crash would. */
  startReader?: (fd: number, handlers: DatagramHandlers, maxUnread: number) => DatagramReader;
}

export class RtnlLinkMonitor implements LinkChangeSource {
  private onChange?: (change: LinkChange) => void;
  private onGap?: () => void;
  private reader?: DatagramReader;
  private restart?: NodeJS.Timeout;
  private restartMs = RESTART_MS;
  private closed = false;
  /** Host links' names by index, learnt from the notifications or asked for. */
  private readonly names = new Map<number, string>();
  /** A socket in the host netns for requests (nsids, a link's name); the reader has its own. */
  private readonly host: HostSocket;
  private readonly follower: NsidFollower;

  constructor(private readonly opts: RtnlLinkMonitorOptions = {}) {
    this.host = new HostSocket(opts.netns);
    this.follower = new NsidFollower(this.host, new NetnsOpener(opts.netns));
  }

  start(onChange: (change: LinkChange) => void, onGap: () => void): void {
    if (this.closed || this.onChange) return;
    this.onChange = onChange;
    this.onGap = onGap;
    this.openReader();
  }

  follow(netns: NetnsRef): Promise<number | undefined> {
    return this.follower.follow(netns);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.restart);
    this.reader?.close();
    this.follower.close();
    this.host.close();
  }

  /** A new socket, subscribed at once (what happens from now on waits in it), and its reader. */
  private openReader(): void {
    const { netns, receiveBufferBytes, maxUnread, startReader } = this.opts;
    try {
      const fd = openMonitorSocket(hostNetnsFile(netns), receiveBufferBytes ?? MONITOR_RECEIVE_BUFFER);
      const handlers = {
        onBatch: (batch: PumpEntry[]) => this.take(batch),
        onEnd: (why: string) => this.ended(why),
      };
      const start = startReader ?? ((s, h, m) => new DatagramReader(s, h, m));
      this.reader = start(fd, handlers, maxUnread ?? MAX_UNREAD);
    } catch (err) {
      this.ended(`it cannot start: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private ended(why: string): void {
    if (this.closed) return;
    this.reader = undefined;
    this.opts.logger?.warn({ why }, 'kernel monitor stopped: starting it again and re-reading the kernel');
    clearTimeout(this.restart);
    this.restart = setTimeout(() => {
      this.restart = undefined;
      if (this.closed) return;
      this.openReader();
      this.onGap?.();
    }, this.restartMs).unref();
    this.restartMs = Math.min(this.restartMs * 2, MAX_RESTART_MS);
  }

  private take(batch: PumpEntry[]): void {
    this.restartMs = RESTART_MS;
    for (const entry of batch) {
      if (this.closed) return;
      if ('lost' in entry) {
        this.opts.logger?.warn({ why: entry.lost }, 'kernel notifications lost: re-reading the kernel');
        this.onGap?.();
        continue;
      }
      const nsid = entry.nsid === -1 ? 'current' : entry.nsid;
      const { buffer, byteOffset, byteLength } = entry.bytes;
      for (const message of splitMessages(Buffer.from(buffer, byteOffset, byteLength)))
        this.read(message, nsid);
    }
  }

  /**
   * Reads one notification and reports it. One that cannot be read, or whose report fails, is a gap:
   * nothing a notification holds may end the agent (this runs in the reader's message event).
   */
  private read(message: Reply, nsid: LinkChange['nsid']): void {
    if (this.closed) return;
    try {
      const nameOf = (index: number) => (nsid === 'current' ? this.nameOf(index) : undefined);
      const change = readLinkChange(message, nsid, nameOf);
      if (change === undefined) return;
      if (nsid === 'current' && change.what === 'link') this.learnName(message, change);
      this.onChange?.(change);
    } catch (err) {
      const why =
        err instanceof UnreadableMessage ? 'unreadable kernel notification' : 'kernel notification failed';
      this.opts.logger?.warn({ err, nsid, type: message.type }, `${why}: re-reading the kernel`);
      this.onGap?.();
    }
  }

  private learnName(message: Reply, change: LinkChange): void {
    const index = linkIndexOf(message);
    if (message.type === RTM_DELLINK) this.names.delete(index);
    else if (message.type === RTM_NEWLINK) {
      if (this.names.size >= MAX_NAMES) this.names.clear();
      this.names.set(index, change.ifname);
    }
  }

  /** The name of a host link, known or asked of the kernel; undefined when it is gone. */
  private nameOf(index: number): string | undefined {
    const known = this.names.get(index);
    if (known !== undefined) return known;
    try {
      const [answer] = this.host.get().request(getLinkByIndex(index));
      if (answer === undefined) return undefined;
      if (this.names.size >= MAX_NAMES) this.names.clear();
      this.names.set(index, linkNameOf(answer));
      return this.names.get(index);
    } catch {
      return undefined; // gone (ENODEV): the address went with it
    }
  }
}
