import type { NetnsRef } from '../../domain/model';
import type { LinkChange, LinkChangeSource } from '../../domain/ports/LinkChangeSource';
import { checkNetnsRef } from '../linkArgumentChecks';
import type { MemoryContainers } from './MemoryContainers';
import type { MemoryNamespace } from './MemoryNamespace';
import { NamespaceSnapshot } from './NamespaceSnapshot';

/**
 * The in-memory kernel's notifications, as rtnetlink multicast gives them (RtnlLinkMonitor): every
 * link and address change of the host namespace, and the link and address changes of the containers'
 * namespaces that have an nsid. The kernel (MemoryDriver) calls kernelChanged() on every open source
 * after each change it makes (one request of a real driver); the source compares the namespaces with
 * what it saw last and reports the differences later, never inside the call that made them, as the
 * kernel's messages come later too.
 */
export class MemoryLinkChanges implements LinkChangeSource {
  private onChange?: (change: LinkChange) => void;
  /** What was last reported of each namespace the host can see: the host itself, and followed ones. */
  private seen = new Map<MemoryNamespace, NamespaceSnapshot>();
  private pending: LinkChange[] = [];
  private delivery?: NodeJS.Immediate;
  private closed = false;

  /** Joins `sources`, the kernel's open sources, until closed. */
  constructor(
    private readonly host: MemoryNamespace,
    private readonly containers: MemoryContainers,
    private readonly sources: Set<MemoryLinkChanges>,
  ) {
    sources.add(this);
  }

  /** `onGap` is never called: the in-memory kernel misses no change (a real socket may overrun). */
  start(onChange: (change: LinkChange) => void, _onGap: () => void): void {
    if (this.closed || this.onChange) return;
    this.onChange = onChange;
    this.seen = this.look();
  }

  async follow(netns: NetnsRef): Promise<number | undefined> {
    checkNetnsRef('follow netns', netns);
    const nsid = this.containers.follow(netns);
    // Every open source watches the netns from now on, seeing what it holds as it is now.
    for (const source of this.sources) source.kernelChanged();
    return nsid;
  }

  close(): void {
    this.closed = true;
    this.onChange = undefined;
    this.pending = [];
    clearImmediate(this.delivery);
    this.sources.delete(this);
  }

  /**
   * The kernel changed: what differs from the last look is queued. A namespace that just got its nsid
   * reports nothing of what it held before; one that died reports nothing either, as the kernel takes
   * a dying netns's nsid away before it deletes its links.
   */
  kernelChanged(): void {
    if (!this.onChange) return;
    const now = this.look();
    for (const [ns, snapshot] of now) {
      const before = this.seen.get(ns);
      if (before) this.pending.push(...snapshot.changesSince(before));
    }
    this.seen = now;
    if (this.pending.length > 0) this.delivery ??= setImmediate(() => this.deliver());
  }

  private look(): Map<MemoryNamespace, NamespaceSnapshot> {
    const now = new Map([[this.host, NamespaceSnapshot.of(this.host, 'current')]]);
    for (const [nsid, ns] of this.containers.followed()) now.set(ns, NamespaceSnapshot.of(ns, nsid));
    return now;
  }

  private deliver(): void {
    this.delivery = undefined;
    const changes = this.pending;
    this.pending = [];
    for (const change of changes) this.onChange?.(change);
  }
}
