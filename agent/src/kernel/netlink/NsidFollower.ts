/**
 * The link monitor's follow(): gives a container's netns an nsid in the host netns (as `ip netns set
 * NAME auto`) and reads it back, two rtnetlink requests on a socket in the host netns, so that the
 * monitor's socket (NETLINK_LISTEN_ALL_NSID) hears that netns too.
 *
 * The agent follows a netns right before it answers an attach (createHostServices, onAttached), so
 * nothing is done on the caller's turn: requests wait in a queue that a later turn (setImmediate)
 * works through, a few at a time, so that the agent following a thousand endpoints at start never
 * holds its thread for long.
 */
import fs from 'node:fs';
import type { NetnsRef } from '../../domain/model';
import { checkNetnsRef } from '../linkArgumentChecks';
import type { NetnsOpener } from '../NetnsOpener';
import type { HostSocket } from './HostSocket';
import { NetlinkError } from './NetlinkError';
import { getNsid, newNsid, nsidOf } from './nsidMessages';

const EEXIST = 17;
/** Namespaces followed per turn of the event loop (each: an open, two requests, a close; ~50 µs). */
const PER_TURN = 32;

interface Waiting {
  netns: NetnsRef;
  resolve(nsid: number | undefined): void;
  reject(err: unknown): void;
}

export class NsidFollower {
  private queue: Waiting[] = [];
  private turn?: NodeJS.Immediate;
  private closed = false;

  constructor(
    private readonly host: HostSocket,
    private readonly namespaces: NetnsOpener,
  ) {}

  /** The nsid the host netns knows `netns` by, given it if it had none; undefined when the netns is gone. */
  async follow(netns: NetnsRef): Promise<number | undefined> {
    checkNetnsRef('follow netns', netns);
    if (this.closed) throw new NetlinkError(0, 'the link monitor is closed');
    return new Promise((resolve, reject) => {
      this.queue.push({ netns, resolve, reject });
      this.turn ??= setImmediate(() => this.work());
    });
  }

  /** Ends the queue: what still waits is refused. */
  close(): void {
    this.closed = true;
    clearImmediate(this.turn);
    const waiting = this.queue;
    this.queue = [];
    for (const w of waiting) w.reject(new NetlinkError(0, 'the link monitor is closed'));
  }

  private work(): void {
    this.turn = undefined;
    for (const { netns, resolve, reject } of this.queue.splice(0, PER_TURN)) {
      try {
        resolve(this.followNow(netns));
      } catch (err) {
        reject(err);
      }
    }
    if (this.queue.length > 0) this.turn = setImmediate(() => this.work());
  }

  private followNow(netns: NetnsRef): number | undefined {
    const opened = this.namespaces.open(netns, false); // an nsid needs no cookie
    if (opened === undefined) return undefined; // gone already: nothing to follow
    const { fd } = opened;
    try {
      const socket = this.host.get();
      try {
        socket.request(newNsid(fd));
      } catch (err) {
        if (!(err instanceof NetlinkError && err.errno === EEXIST)) throw err;
      }
      const [answer] = socket.request(getNsid(fd));
      return answer === undefined ? undefined : nsidOf(answer);
    } finally {
      fs.closeSync(fd);
    }
  }
}
