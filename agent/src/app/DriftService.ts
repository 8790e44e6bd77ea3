import type { Logger } from 'pino';
import type { NetnsRef } from '../domain/model';
import { describeNetnsRef, netnsIdentity } from '../domain/netnsIdentity';
import type { HostState } from '../domain/ports/HostState';
import type { LinkChange, LinkChangeSource } from '../domain/ports/LinkChangeSource';
import type { KernelCapabilities, LinkDriver } from '../domain/ports/LinkDriver';
import type { Mutex } from './Mutex';
import type { NetworkService } from './NetworkService';
import { repairEndpoint } from './restoreEndpoints';
import { repairHostLinks } from './restoreHost';

export interface DriftDeps {
  state: HostState;
  driver: LinkDriver;
  capabilities: KernelCapabilities;
  logger: Logger;
  mutex: Mutex;
  networks: NetworkService;
  source: LinkChangeSource;
}

/**
 * Changes made behind the agent's back, seen through the kernel's own notifications: the host's
 * links are compared with the state and repaired where they are the agent's own (a deleted eth0.10 is
 * made again, a downed one set up), statuses follow what cannot be repaired (a parent NIC down), and
 * an endpoint whose link vanished from its container is attached again (or found LOST). Each repair is
 * a DRIFT event with its revision. Foreign links are never touched.
 *
 * Changes are coalesced, not debounced: a pass starts on the turn after a change (setImmediate) and
 * takes every change noted by then (a burst arrives in batches that are already queued); changes noted
 * while a pass runs make exactly one more pass after it.
 */
export class DriftService {
  /** The next pass, due on the next turn. */
  private next?: NodeJS.Immediate;
  private running = false;
  /** Changes were noted while a pass ran: one more pass follows it. */
  private again = false;
  private closed = false;
  private hostChanged = false;
  /** Links deleted in container namespaces since the last pass, as "nsid/ifname". */
  private deletedInContainers = new Set<string>();
  /** The nsid of each followed container netns, as the host netns knows it → that netns's identity. */
  private readonly followed = new Map<number, string>();
  /** The last report of each host link and address (see repeats). */
  private readonly lastSeen = new Map<string, string>();
  private everything = false;
  private unsubscribe?: () => void;
  /**
   * Counted since start, for the metrics: `changes`, kernel notifications about the agent's links that
   * started a pass; `repairs`, the DRIFT events recorded since (links made again or set up, endpoints
   * attached again, statuses that follow what cannot be repaired).
   */
  readonly counts = { changes: 0, repairs: 0 };

  constructor(private readonly deps: DriftDeps) {}

  /** Starts listening; with `checkAll`, a first pass checks every link and endpoint too. */
  start(options: { checkAll?: boolean } = {}): void {
    const checkEverything = () => {
      this.lastSeen.clear();
      this.everything = true;
      this.schedule();
    };
    this.unsubscribe ??= this.deps.state.subscribe((events) => {
      for (const event of events) if (event.type === 'DRIFT') this.counts.repairs++;
    });
    this.deps.source.start((change) => this.note(change), checkEverything);
    if (options.checkAll) checkEverything();
  }

  /** Follows a container's netns, so that its link changes are reported too. */
  follow(netns: NetnsRef): void {
    this.deps.source.follow(netns).then(
      (nsid) => {
        if (nsid !== undefined) this.followed.set(nsid, netnsIdentity(netns));
      },
      (err: unknown) =>
        this.deps.logger.debug({ err, netns: describeNetnsRef(netns) }, 'cannot follow netns'),
    );
  }

  close(): void {
    this.closed = true;
    this.unsubscribe?.();
    clearImmediate(this.next);
    this.deps.source.close();
  }

  private note(change: LinkChange): void {
    if (change.nsid === 'current' && this.repeats(change)) return;
    if (change.nsid === 'current') this.hostChanged = true;
    else if (change.what === 'link' && change.deleted)
      this.deletedInContainers.add(`${change.nsid}/${change.ifname}`);
    else return;
    this.counts.changes++;
    this.schedule();
  }

  /**
   * Whether the kernel reports a host link or address exactly as it did last time: a macvlan made or
   * raised on a parent makes the kernel report the parent again, unchanged, for every endpoint attached.
   */
  private repeats(change: LinkChange): boolean {
    const key = `${change.what} ${change.ifname}`;
    if (change.deleted) {
      this.lastSeen.delete(key);
      return false;
    }
    if (this.lastSeen.get(key) === change.detail) return true;
    this.lastSeen.set(key, change.detail);
    return false;
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.running) this.again = true;
    else this.next ??= setImmediate(() => void this.pass());
  }

  private async pass(): Promise<void> {
    this.next = undefined;
    this.running = true;
    try {
      await this.repair();
    } catch (err) {
      this.deps.logger.error({ err }, 'drift repair failed');
    } finally {
      this.running = false;
    }
    if (this.again) {
      this.again = false;
      this.schedule();
    }
  }

  /**
   * One repair pass, under the host mutex, for what the changes noted until it holds the mutex may have
   * touched; none when the pass before took them all.
   */
  private async repair(): Promise<void> {
    if (!this.everything && !this.hostChanged && this.deletedInContainers.size === 0) return;
    await this.deps.mutex.run(async () => {
      const everything = this.everything;
      const host = this.hostChanged || everything;
      const ifnames = this.deletedInContainers;
      this.everything = false;
      this.hostChanged = false;
      this.deletedInContainers = new Set();
      if (host) {
        await repairHostLinks(this.deps);
        await this.deps.networks.refreshAllHeld();
      }
      // An nsid not followed (reused, or a netns known by pid or path) makes every endpoint of that
      // interface name a suspect: slower, never wrong.
      const suspect = (netns: NetnsRef, ifname: string) =>
        [...ifnames].some((key) => {
          const [nsid, name] = key.split('/');
          const followedNetns = this.followed.get(Number(nsid));
          return name === ifname && (followedNetns === undefined || followedNetns === netnsIdentity(netns));
        });
      const suspects = this.deps.state
        .listEndpoints()
        .filter((e) => e.status.state === 'ready' && (everything || suspect(e.spec.netnsRef, e.spec.ifname)));
      for (const record of suspects) await repairEndpoint(record, this.deps);
    });
  }
}
