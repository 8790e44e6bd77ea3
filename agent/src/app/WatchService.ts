import type { EventFeed, HostStateReads } from '../domain/ports/HostState';
import { ExhaustedError, InvalidSpecError, OutOfRangeError } from '../domain/errors';
import {
  DEFAULT_MAX_WATCHERS,
  MAX_WATCH_KINDS,
  REPLAY_PAGE_BYTES,
  REPLAY_PAGE_EVENTS,
} from '../domain/limits';
import type { ChangeEvent, ObjectKind } from '../domain/model';
import { checkObjectName } from '../domain/names';
import { filterRevisions } from './filterRevisions';
import { WatchQueue } from './WatchQueue';

/** A Watch as the domain takes it. */
export interface WatchRequest {
  sinceRevision: number;
  /** Only these kinds; empty: all. */
  kinds: ObjectKind[];
  /** Only this network and its endpoints; "": all. */
  network: string;
}

/** What a watch stream carries: changes, and the SYNCED and BOOKMARK markers (each a revision of its own). */
export type WatchItem = ChangeEvent | { type: 'SYNCED' | 'BOOKMARK'; revision: number };

/** Why a watch stream that was served ended: its client went (or the agent stopped), it fell behind, it asked for revisions the log no longer keeps, or it failed. */
export type WatcherEndReason = 'cancelled' | 'too_slow' | 'out_of_range' | 'error';

/** Counted since the agent started, for the metrics. */
export interface WatchCounts {
  /** Items written to watch streams: events, SYNCED and BOOKMARK. */
  sent: number;
  ended: Record<WatcherEndReason, number>;
}

export interface WatchOptions {
  /** A quiet stream gets a BOOKMARK with the current revision this often. */
  bookmarkIntervalMs: number;
  /**
   * Events a watcher may fall behind by before it is ended with RESOURCE_EXHAUSTED (a revision larger
   * than that is taken when the watcher is not behind at all).
   */
  queueCapacity: number;
  /** Watch streams open at once; one more is RESOURCE_EXHAUSTED (default DEFAULT_MAX_WATCHERS). */
  maxWatchers?: number;
}

/**
 * Watch, with the semantics of Kubernetes watch and etcd: since 0, the current state as ADDED, then
 * SYNCED, then every change; since N, every change after N from the durable log (OUT_OF_RANGE when N
 * is older than the log keeps), then live. Every event carries its revision, in order, without gaps
 * or duplicates within the filter. A watcher gets a revision whole or not at all, its last event (of
 * those the filter keeps) with revisionEnd. The watcher subscribes before it reads, so nothing
 * committed in between is lost, and revisions already sent (whole, as all are) are skipped.
 */
export class WatchService {
  private watchers = 0;
  readonly counts: WatchCounts = {
    sent: 0,
    ended: { cancelled: 0, too_slow: 0, out_of_range: 0, error: 0 },
  };
  private lastSnapshot?: { items: ChangeEvent[]; revision: number };

  constructor(
    private readonly state: HostStateReads & EventFeed,
    private readonly options: WatchOptions,
  ) {}

  /** The watch streams open now. */
  activeWatchers(): number {
    return this.watchers;
  }

  /**
   * A watch stream. The request is checked, and the agent's watcher count, when the stream is first
   * read (an async generator runs nothing before): a refusal is its first and only answer.
   */
  async *watch(request: WatchRequest, signal: AbortSignal): AsyncGenerator<WatchItem> {
    this.checkRequest(request);
    const max = this.options.maxWatchers ?? DEFAULT_MAX_WATCHERS;
    if (this.watchers >= max) {
      throw new ExhaustedError(
        `this agent serves ${this.watchers} watch streams, the most it takes: retry later, or watch from fewer clients`,
      );
    }
    // The stream is written out here rather than delegated to a generator of its own: every event
    // passes every generator layer, for every watcher.
    const matches = (e: ChangeEvent) =>
      (request.kinds.length === 0 || request.kinds.includes(e.kind)) &&
      (request.network === '' || e.network === request.network);
    const unfiltered = request.kinds.length === 0 && request.network === '';
    const select = (events: ChangeEvent[]) => (unfiltered ? events : filterRevisions(events, matches));
    const queue = new WatchQueue(this.options.queueCapacity);
    const unsubscribe = this.state.subscribe((events) => queue.push(select(events)));
    this.watchers++;
    const counts = this.counts;
    let ending: WatcherEndReason = 'cancelled';
    try {
      /** The last revision sent whole (or listed): the one to resume after. */
      let last = request.sinceRevision;
      if (last === 0) {
        const { items, revision } = this.snapshot();
        for (const item of items.filter(matches)) {
          counts.sent++;
          yield item;
        }
        counts.sent++;
        yield { type: 'SYNCED', revision };
        last = revision;
      } else {
        this.checkRetained(last);
        // Paged by count and by bytes, in whole revisions: a watcher replaying holds one page at a
        // time, whatever the events' size, so many watchers replaying at once hold a bounded amount
        // of memory.
        const nextPage = () => this.state.eventsAfter(last, REPLAY_PAGE_EVENTS, REPLAY_PAGE_BYTES);
        for (let page = nextPage(); page.length > 0; page = nextPage()) {
          for (const event of select(page)) {
            counts.sent++;
            yield event;
          }
          last = page[page.length - 1].revision;
        }
      }
      while (!signal.aborted) {
        const item = await queue.next(this.options.bookmarkIntervalMs, signal);
        if ('overflow' in item) {
          ending = 'too_slow';
          throw new ExhaustedError(
            `watcher too slow: more than ${this.options.queueCapacity} events behind; resume with since_revision=${last}`,
          );
        }
        if ('idle' in item) {
          if (signal.aborted) continue;
          counts.sent++;
          yield { type: 'BOOKMARK', revision: this.state.revision() };
          continue;
        }
        for (const event of item.events) {
          if (event.revision <= last) continue;
          counts.sent++;
          yield event;
          if (event.revisionEnd) last = event.revision;
        }
      }
    } catch (err) {
      if (ending === 'cancelled') ending = endReason(err);
      throw err;
    } finally {
      unsubscribe();
      queue.close();
      this.watchers--;
      counts.ended[ending]++;
    }
  }

  /** The number of endpoints a network has now, for network events (their log entries do not count them). */
  endpointCount(network: string): number {
    return this.state.countEndpoints(network);
  }

  /**
   * The current state as ADDED events, read in one synchronous go: each with its object's revision,
   * and each standing alone (revisionEnd), since several objects may share a revision.
   */
  private snapshot(): { items: ChangeEvent[]; revision: number } {
    // Watchers that start at one revision (all of them, after a restart) share one snapshot, read
    // once, instead of holding a copy of every object each.
    const revision = this.state.revision();
    if (this.lastSnapshot?.revision !== revision) this.lastSnapshot = this.readSnapshot(revision);
    return this.lastSnapshot;
  }

  private readSnapshot(revision: number): { items: ChangeEvent[]; revision: number } {
    const time = Date.now();
    const networks = this.state.listNetworks().map((record): ChangeEvent => ({
      revision: record.status.revision,
      sequence: 0,
      revisionEnd: true,
      type: 'ADDED',
      kind: 'network',
      network: record.spec.name,
      name: record.spec.name,
      object: record,
      message: '',
      time,
    }));
    const endpoints = this.state.listEndpoints().map((record): ChangeEvent => ({
      revision: record.status.revision,
      sequence: 0,
      revisionEnd: true,
      type: 'ADDED',
      kind: 'endpoint',
      network: record.spec.network,
      name: record.spec.name,
      object: record,
      message: '',
      time,
    }));
    return { items: [...networks, ...endpoints], revision };
  }

  /** The request's bounds: a known network name or none, a few kinds, a revision not ahead of the host's. */
  private checkRequest(request: WatchRequest): void {
    if (request.network !== '') checkObjectName('network', request.network);
    if (request.kinds.length > MAX_WATCH_KINDS) {
      throw new InvalidSpecError(
        'kinds',
        `${request.kinds.length} kinds is too many: at most ${MAX_WATCH_KINDS}`,
      );
    }
    const now = this.state.revision();
    if (request.sinceRevision > now) {
      throw new OutOfRangeError(
        `since_revision: ${request.sinceRevision} is ahead of this host's revision ${now} (another host's, or a state restored from a backup?): list again, or watch with since_revision=0`,
      );
    }
  }

  private checkRetained(since: number): void {
    const oldest = this.state.oldestRetainedRevision();
    if (since < oldest - 1) {
      throw new OutOfRangeError(
        `revision ${since} is older than the event log keeps (the oldest retained is ${oldest}): list again, or watch with since_revision=0`,
      );
    }
  }
}

/** Why a stream ended by an error thrown while it was served. */
function endReason(err: unknown): WatcherEndReason {
  if (err instanceof OutOfRangeError) return 'out_of_range';
  if (err instanceof Error && err.name === 'AbortError') return 'cancelled';
  return 'error';
}
