import type { WatchResponse } from '../../proto/gen/mvnet/v1/agent_service';
import { EventType } from '../../proto/gen/mvnet/v1/watch';

/** What the cursor makes of one message: the events to hand out now (none while a revision is incomplete), or start over with a list. */
export type CursorVerdict = WatchResponse[] | 'history-reset';

/**
 * Where a resuming watch stands in the agent's history: the last revision handed to the consumer whole
 * (every kind of event counts, SYNCED and BOOKMARK included), and whether it is still reading the
 * initial list of a `since_revision = 0` stream.
 *
 * A revision may carry several events, the last marked revision_end: the cursor holds a revision's
 * events until its last arrives, then hands them out together. A stream that breaks in the middle of a
 * revision is resumed after the last whole one, and the events held are dropped: the agent sends them
 * again. An agent older than revision_end marks no event: there, the next revision (or a bookmark)
 * closes the one before.
 *
 * While listing, ADDED events carry their objects' revisions, which are not in order, and each stands
 * alone: only SYNCED says where the list stands, so nothing read before it can be resumed from, and a
 * list broken halfway has to be started over (and the consumer told, when it already saw part of it).
 */
export class WatchCursor {
  private last: number;
  private isListing: boolean;
  /** ADDED events handed out since the current list began. */
  private listed = 0;
  /** The events of the revision being received, held until its last. */
  private held: WatchResponse[] = [];

  constructor(sinceRevision: number) {
    this.last = sinceRevision;
    this.isListing = sinceRevision === 0;
  }

  /** The revision to resume after: the last one handed out whole past the list. */
  get revision(): number {
    return this.last;
  }

  /** True while the stream being read is a list (since_revision = 0) that has not reached SYNCED. */
  get listing(): boolean {
    return this.isListing;
  }

  /**
   * The since_revision to open the next stream with: 0 while a list is to be read, else the last whole
   * revision (the events held of an incomplete one are dropped: the new stream sends them again).
   * Revision 0 cannot be resumed from, since since_revision = 0 asks for a list: but an agent at
   * revision 0 held nothing, so the list brings the consumer where the changes would, quietly.
   */
  openSince(): number {
    this.held = [];
    if (this.last === 0 && !this.isListing) {
      this.isListing = true;
      this.listed = 0;
    }
    return this.isListing ? 0 : this.last;
  }

  /** True when the consumer holds part of a list that a new stream would send again. */
  get midList(): boolean {
    return this.isListing && this.listed > 0;
  }

  /** Takes one message from the agent and says what to hand out. */
  accept(response: WatchResponse): CursorVerdict {
    if (this.isListing) {
      if (response.type === EventType.EVENT_TYPE_SYNCED) {
        this.isListing = false;
        this.last = response.revision;
      } else {
        this.listed++;
      }
      return [response];
    }
    const isMarker =
      response.type === EventType.EVENT_TYPE_BOOKMARK || response.type === EventType.EVENT_TYPE_SYNCED;
    const ready =
      this.held.length > 0 && (isMarker || response.revision !== this.held[0].revision) ? this.release() : [];
    if (response.type === EventType.EVENT_TYPE_BOOKMARK) {
      // A bookmark carries the agent's current revision, which never goes back within one history: a
      // lower one means this is not the history we followed (state wiped, another agent on the address).
      if (response.revision < this.last) return 'history-reset';
      this.last = response.revision;
      return [...ready, response];
    }
    // Resuming from `last` makes the agent send only later events; this guards the promise of
    // "exactly once" should one be sent again all the same.
    if (response.revision <= this.last) return ready;
    this.held.push(response);
    if (response.revisionEnd || isMarker) ready.push(...this.release());
    return ready;
  }

  /** The events held, as a whole revision handed out now. */
  private release(): WatchResponse[] {
    const whole = this.held;
    this.held = [];
    this.last = whole[whole.length - 1].revision;
    return whole;
  }

  /**
   * Starts over with a list (since_revision = 0). Returns true when the consumer must be told, because
   * it holds state from before: changes it followed, or part of a list. A list that had not started
   * yet is simply opened again.
   */
  restartList(): boolean {
    const mustTell = !this.isListing || this.listed > 0;
    this.isListing = true;
    this.listed = 0;
    this.last = 0;
    this.held = [];
    return mustTell;
  }
}
