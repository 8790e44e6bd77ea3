import type { LinkChange, LinkChangeSource } from '../../agent/src/domain/ports/LinkChangeSource';
import { waitFor } from '../support/waitFor';

/** Marker links get names no test uses, unique across the recorders of one test file. */
let markers = 0;

/**
 * Starts a LinkChangeSource and keeps what it reports, for the contract suite to wait on. A marker
 * link made by hand serves as a barrier: the kernel reports changes in the order it makes them, so once
 * the marker is reported, so is everything made before it.
 */
export class ChangeRecorder {
  readonly changes: LinkChange[] = [];

  /** `addMarker` makes a link on the host by hand (no driver involved), named as it is told. */
  constructor(
    readonly source: LinkChangeSource,
    private readonly addMarker: (name: string) => Promise<void>,
  ) {
    source.start(
      (change) => this.changes.push(change),
      () => undefined,
    );
  }

  /** The first change from index `from` on that `matches`, once it is reported. */
  next(what: string, matches: (change: LinkChange) => boolean, from = 0): Promise<LinkChange> {
    return waitFor(what, () => this.changes.slice(from).find(matches));
  }

  /** Waits until everything the kernel made before this call is reported. */
  async barrier(): Promise<void> {
    const name = `mark${++markers}`;
    await this.addMarker(name);
    await this.next(`the marker ${name}`, (c) => c.what === 'link' && c.ifname === name);
  }

  /**
   * Waits until a source just started hears the kernel: a source may subscribe a little after start()
   * returns, and a marker made before then is never reported, so markers are made until one is.
   */
  async listening(): Promise<void> {
    const names: string[] = [];
    const heard = () => this.changes.some((c) => names.includes(c.ifname));
    const deadline = Date.now() + 10_000;
    while (!heard()) {
      if (Date.now() > deadline)
        throw new Error(`the source reported none of the markers ${names.join(' ')}`);
      names.push(`mark${++markers}`);
      await this.addMarker(names.at(-1)!);
      // Heard within a moment once the source listens; if not, another marker is made (and any counts).
      for (let i = 0; i < 50 && !heard(); i++) await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** The account last reported of a link that exists, or undefined. */
  lastDetail(ifname: string, nsid: LinkChange['nsid'] = 'current'): string | undefined {
    const reports = this.changes.filter(
      (c) => c.what === 'link' && c.ifname === ifname && c.nsid === nsid && !c.deleted,
    );
    return reports.at(-1)?.detail;
  }
}
