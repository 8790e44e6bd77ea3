/**
 * One ARP probe's kernel side: a network namespace of its own (unshare), holding a macvlan on the
 * probed host link, made from the host's netlink socket right into it (IFLA_NET_NS_FD), with no IPv6
 * address of its own and no IPv4 address at all, and an AF_PACKET socket bound to it. Nothing of the
 * host's changes: no address, no route, no link in its namespace.
 *
 * The namespace is anonymous: no file names it, only the probe's sockets hold it, so the kernel
 * destroys it, and the macvlan in it, when they close, also when the agent dies. close() deletes the
 * macvlan first all the same, so that the lower carries nothing of the probe's once the probe has
 * ended (the kernel frees a dead namespace later, from a workqueue: a passthru macvlan made on the
 * lower meanwhile would be refused).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { arpProbe, arpSenderOf } from './arpMessages';
import * as links from './linkMessages';
import { PacketSocket } from './PacketSocket';
import { RtnlSocket } from './RtnlSocket';
import { onThreadIn } from './threadNetns';

/** The first look for an answer comes this soon after a probe is sent; the wait doubles up to POLL_MAX_MS. */
const POLL_FIRST_MS = 1;
const POLL_MAX_MS = 16;
/** Bridge mode: the probe reaches the wire, and a gateway that is a bridge-mode macvlan on the same lower. */
const MODE = 'bridge';

/** A unicast, locally administered MAC, fresh for each probe. */
function randomMac(): string {
  const bytes = crypto.randomBytes(6);
  bytes[0] = (bytes[0] & 0xfe) | 0x02;
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

export class ArpProbe {
  /** The netlink socket in the probe's namespace: it configures and deletes the macvlan. */
  private inside?: RtnlSocket;
  private packet?: PacketSocket;
  /** The macvlan's index in the probe's namespace, once made. */
  private index?: number;
  private readonly mac = randomMac();

  private constructor() {}

  /**
   * Makes the namespace, the macvlan on host link `lowerIndex`, up, and the socket, on the agent's
   * thread (about a millisecond). On a failure it removes what it made and throws: a NetlinkError for
   * what the kernel refused.
   */
  static async open(host: RtnlSocket, lowerIndex: number): Promise<ArpProbe> {
    const probe = new ArpProbe();
    let netnsFd = -1;
    try {
      onThreadIn('new', () => {
        netnsFd = fs.openSync('/proc/thread-self/ns/net', fs.constants.O_RDONLY);
        probe.inside = RtnlSocket.open();
      });
      probe.makeMacvlan(host, lowerIndex, netnsFd);
      // Made once the macvlan is there: should the kernel refuse the macvlan, no packet socket is to be
      // closed (each close waits for an RCU grace period).
      probe.packet = onThreadIn({ fd: netnsFd }, () => PacketSocket.openArp());
      probe.packet.bind(probe.index!);
      return probe;
    } catch (err) {
      await probe.close();
      throw err;
    } finally {
      if (netnsFd >= 0) fs.closeSync(netnsFd);
    }
  }

  /**
   * Sends `tries` probes for `address`, `intervalMs` apart, and looks for its answer in between, from
   * timers; true as soon as `address` speaks ARP, false `tries` × `intervalMs` after the first probe.
   */
  async listen(address: string, tries: number, intervalMs: number): Promise<boolean> {
    const start = nowMs();
    const probe = arpProbe(links.macBytes(this.mac), address);
    for (let sent = 1; sent <= tries; sent++) {
      this.packet!.broadcast(this.index!, probe);
      let waitMs = POLL_FIRST_MS;
      for (;;) {
        if (this.heard(address)) return true;
        const leftMs = start + sent * intervalMs - nowMs();
        if (leftMs <= 0) break;
        await sleep(Math.min(waitMs, leftMs));
        waitMs = Math.min(waitMs * 2, POLL_MAX_MS);
      }
    }
    return false;
  }

  /**
   * Deletes the macvlan and closes the sockets, which ends the namespace; both off the agent's thread
   * (a deletion and a packet socket's close each wait for RCU grace periods). Never throws: should
   * the deletion fail, the namespace's end removes the macvlan anyway.
   */
  async close(): Promise<void> {
    const { inside, packet, index } = this;
    this.inside = this.packet = this.index = undefined;
    try {
      if (inside && index !== undefined) await inside.requestAsync(links.deleteLink(index));
    } catch {
      // Left to the namespace's end, which the closes below bring.
    }
    inside?.close();
    await packet?.close();
  }

  /** The macvlan, made on the host link right into the probe's namespace, configured there, up. */
  private makeMacvlan(host: RtnlSocket, lowerIndex: number, netnsFd: number): void {
    // A random name, recognisable: Linux 6.1 looks a new link's name up in the requester's netns too.
    const name = `mvarp${crypto.randomBytes(4).toString('hex')}`;
    host.request(links.newMacvlan({ name, parentIndex: lowerIndex, mode: MODE, mac: this.mac, netnsFd }));
    const inside = this.inside!;
    this.index = links.linkIndexOf(inside.request(links.getLinkByName(name))[0]);
    inside.request(links.withoutIpv6Addresses(this.index));
    inside.request(links.setUp(this.index));
  }

  /** Whether a packet from `address` waits on the socket; reads every packet waiting. */
  private heard(address: string): boolean {
    for (let packet = this.packet!.receive(); packet; packet = this.packet!.receive()) {
      if (arpSenderOf(packet) === address) return true;
    }
    return false;
  }
}
