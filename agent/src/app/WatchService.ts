import type { EventFeed, HostStateReads } from '../domain/ports/HostState';
import { ExhaustedError, OutOfRangeError } from '../domain/errors';
import type { ChangeEvent, ObjectKind } from '../domain/model';
import { WatchQueue } from './WatchQueue';

/** A Watch as the domain takes it. */
export interface WatchRequest {
  sinceRevision: number;
  /** Only these kinds; empty: all. */
  kinds: ObjectKind[];
  /** Only this network and its endpoints; "": all. */
  network: string;
}

/** What a watch stream carries: changes, and the SYNCED and BOOKMARK markers. */
export type WatchItem = ChangeEvent | { type: 'SYNCED' | 'BOOKMARK'; revision: number };

export interface WatchOptions {
  /** A quiet stream gets a BOOKMARK with the current revision this often. */
  bookmarkIntervalMs: number;
  /** Events a watcher may fall behind by before it is ended with RESOURCE_EXHAUSTED. */
  queueCapacity: number;
}

const REPLAY_PAGE = 500;

/**
 * Watch, with the semantics of Kubernetes watch and etcd: since 0, the current state as ADDED, then
 * SYNCED, then every change; since N, every change after N from the durable log (OUT_OF_RANGE when N
 * is older than the log keeps), then live. Every event carries its revision, in order, without gaps
 * or duplicates within the filter. The watcher subscribes before it reads, so nothing committed in
 * between is lost, and revisions already sent are skipped.
 */
export class WatchService {
  constructor(
    private readonly state: HostStateReads & EventFeed,
    private readonly options: WatchOptions,
  ) {}

  async *watch(request: WatchRequest, signal: AbortSignal): AsyncGenerator<WatchItem> {
    const matches = (e: ChangeEvent) =>
      (request.kinds.length === 0 || request.kinds.includes(e.kind)) &&
      (request.network === '' || e.network === request.network);
    const queue = new WatchQueue(this.options.queueCapacity);
    const unsubscribe = this.state.subscribe((events) => queue.push(events.filter(matches)));
    try {
      let last = request.sinceRevision;
      if (last === 0) {
        const { items, revision } = this.snapshot();
        for (const item of items.filter(matches)) yield item;
        yield { type: 'SYNCED', revision };
        last = revision;
      } else {
        this.checkRetained(last);
        for (
          let page = this.state.eventsAfter(last, REPLAY_PAGE);
          page.length > 0;
          page = this.state.eventsAfter(last, REPLAY_PAGE)
        ) {
          for (const event of page.filter(matches)) yield event;
          last = page[page.length - 1].revision;
        }
      }
      while (!signal.aborted) {
        const item = await queue.next(this.options.bookmarkIntervalMs, signal);
        if ('overflow' in item) {
          throw new ExhaustedError(
            `watcher too slow: more than ${this.options.queueCapacity} events behind; resume with since_revision=${last}`,
          );
        }
        if ('idle' in item) {
          if (!signal.aborted) yield { type: 'BOOKMARK', revision: this.state.revision() };
          continue;
        }
        for (const event of item.events) {
          if (event.revision <= last) continue;
          yield event;
          last = event.revision;
        }
      }
    } finally {
      unsubscribe();
    }
  }

  /** The number of endpoints a network has now, for network events (their log entries do not count them). */
  endpointCount(network: string): number {
    return this.state.countEndpoints(network);
  }

  /** The current state as ADDED events (each with its object's revision), read in one synchronous go. */
  private snapshot(): { items: ChangeEvent[]; revision: number } {
    const time = Date.now();
    const networks = this.state.listNetworks().map((record): ChangeEvent => ({
      revision: record.status.revision,
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
      type: 'ADDED',
      kind: 'endpoint',
      network: record.spec.network,
      name: record.spec.name,
      object: record,
      message: '',
      time,
    }));
    return { items: [...networks, ...endpoints], revision: this.state.revision() };
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
