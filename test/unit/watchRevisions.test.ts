import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { watchItemToMessage } from '../../agent/src/api/watchMessages';
import { WatchQueue, type QueueItem } from '../../agent/src/app/WatchQueue';
import { WatchService, type WatchItem, type WatchRequest } from '../../agent/src/app/WatchService';
import { REPLAY_PAGE_BYTES } from '../../agent/src/domain/limits';
import type { ChangeEvent, EventInput, ObjectKind } from '../../agent/src/domain/model';
import { Store } from '../../agent/src/store/Store';

/** An event of `kind` named `name` in network `network`, whose stored object is about `bytes` long. */
const event = (kind: ObjectKind, name: string, network = 'n1', bytes = 10): EventInput => ({
  type: 'DRIFT',
  kind,
  network,
  name,
  object: { pad: 'x'.repeat(bytes) },
});

/** `3.1 b`, `3.2 c$`, `SYNCED 4`: revision.sequence name, `$` on the last event of its revision. */
function brief(item: WatchItem): string {
  if (!('kind' in item)) return `${item.type} ${item.revision}`;
  return `${item.revision}.${item.sequence} ${item.name}${item.revisionEnd ? '$' : ''}`;
}

/** A revision as a commit publishes it: `size` events, the last marked. */
function revision(number: number, size: number): ChangeEvent[] {
  return Array.from({ length: size }, (_, sequence) => ({
    revision: number,
    sequence,
    revisionEnd: sequence === size - 1,
    type: 'DRIFT',
    kind: 'network',
    network: 'n',
    name: `e${sequence}`,
    object: {},
    message: '',
    time: 0,
  }));
}

/** What a queue hands out, in brief. */
function taken(item: QueueItem): string[] | string {
  if ('events' in item) return item.events.map((e) => `${e.revision}.${e.sequence}`);
  return 'overflow' in item ? 'overflow' : 'idle';
}

describe("a watcher's queue", () => {
  const signal = new AbortController().signal;

  it('admits whole revisions while they fit', async () => {
    const queue = new WatchQueue(5);
    queue.push(revision(1, 2));
    queue.push(revision(2, 3));
    expect(taken(await queue.next(1, signal))).toEqual(['1.0', '1.1', '2.0', '2.1', '2.2']);
  });

  it('overflows rather than admit part of a revision', async () => {
    const queue = new WatchQueue(5);
    queue.push(revision(1, 3));
    queue.push(revision(2, 3));
    expect(taken(await queue.next(1, signal))).toBe('overflow');
  });

  it('overflows on a commit of several revisions whose later one does not fit', async () => {
    const queue = new WatchQueue(4);
    queue.push([...revision(1, 2), ...revision(2, 3)]);
    expect(taken(await queue.next(1, signal))).toBe('overflow');
  });

  it('admits a revision larger than its capacity when empty: a watcher that keeps up is not ended', async () => {
    const queue = new WatchQueue(2);
    queue.push(revision(1, 5));
    expect(taken(await queue.next(1, signal))).toEqual(['1.0', '1.1', '1.2', '1.3', '1.4']);
    queue.push(revision(2, 1));
    queue.push(revision(3, 5));
    expect(taken(await queue.next(1, signal))).toBe('overflow');
  });
});

describe('revision_end on the wire', () => {
  const count = () => 0;

  it("is the event's own, and true on SYNCED and BOOKMARK, which stand alone", () => {
    const [first, last] = revision(7, 2).map((e) => ({
      ...e,
      object: { spec: { name: 'n', subnets: [], labels: {} }, status: {} },
    }));
    expect(watchItemToMessage(first, count)).toMatchObject({ revision: 7, revisionEnd: false });
    expect(watchItemToMessage(last, count)).toMatchObject({ revision: 7, revisionEnd: true });
    for (const type of ['SYNCED', 'BOOKMARK'] as const)
      expect(watchItemToMessage({ type, revision: 7 }, count)).toMatchObject({ revisionEnd: true });
  });
});

describe('Watch of revisions with several events', () => {
  let dir: string;
  let store: Store;
  let abort: AbortController;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-watchr-'));
    store = Store.open(dir);
    abort = new AbortController();
  });
  afterEach(() => {
    abort.abort();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const change = (...events: EventInput[]) =>
    store.transact((tx) => events.forEach((e) => tx.recordEvent(e)));

  function watch(overrides: Partial<WatchRequest>, queueCapacity = 100): AsyncGenerator<WatchItem> {
    const service = new WatchService(store, { bookmarkIntervalMs: 60_000, queueCapacity });
    return service.watch({ sinceRevision: 0, kinds: [], network: '', ...overrides }, abort.signal);
  }

  async function take(stream: AsyncGenerator<WatchItem>, count: number): Promise<string[]> {
    const items: string[] = [];
    while (items.length < count) items.push(brief((await stream.next()).value as WatchItem));
    return items;
  }

  it('replays and follows every event of a revision, revision_end on its last only', async () => {
    change(event('network', 'a'));
    change(event('endpoint', 'b'), event('endpoint', 'c'), event('network', 'd'));
    const stream = watch({ sinceRevision: 1 });
    expect(await take(stream, 3)).toEqual(['2.0 b', '2.1 c', '2.2 d$']);
    const live = take(stream, 3);
    change(event('endpoint', 'e'), event('network', 'f'));
    change(event('network', 'g'));
    expect(await live).toEqual(['3.0 e', '3.1 f$', '4.0 g$']);
  });

  it('marks the last event a filter keeps, and leaves out a revision it keeps nothing of', async () => {
    change(event('endpoint', 'b'), event('endpoint', 'c'), event('network', 'd'));
    change(event('network', 'e', 'n2'));
    change(event('endpoint', 'f', 'n2'), event('network', 'n1', 'n1'), event('endpoint', 'g', 'n2'));
    const endpoints = watch({ sinceRevision: 0.5, kinds: ['endpoint'] });
    expect(await take(endpoints, 4)).toEqual(['1.0 b', '1.1 c$', '3.0 f', '3.2 g$']);
    const n1 = watch({ network: 'n1' });
    expect(await take(n1, 1)).toEqual(['SYNCED 3']);
    change(event('endpoint', 'h', 'n2'), event('endpoint', 'i', 'n1'), event('network', 'j', 'n2'));
    expect(await take(n1, 1)).toEqual(['4.1 i$']);
  });

  it('gives a revision larger than its queue to a watcher that keeps up', async () => {
    const stream = watch({}, 2);
    expect(await take(stream, 1)).toEqual(['SYNCED 0']);
    const next = stream.next();
    change(...['a', 'b', 'c', 'd'].map((n) => event('network', n)));
    expect([brief((await next).value as WatchItem), ...(await take(stream, 3))]).toEqual([
      '1.0 a',
      '1.1 b',
      '1.2 c',
      '1.3 d$',
    ]);
  });

  it('sends a revision committed during a replay once, whole, from the log or from the feed', async () => {
    change(event('network', 'a'));
    // Revision 2 is more than a page of replay: the first page ends after it.
    const big = REPLAY_PAGE_BYTES / 2;
    change(...['b', 'c', 'd'].map((n) => event('network', n, 'n1', big)));
    const stream = watch({ sinceRevision: 1 });
    expect(await take(stream, 1)).toEqual(['2.0 b']);
    change(event('network', 'e'), event('network', 'f')); // logged, and queued for the watcher
    expect(await take(stream, 4)).toEqual(['2.1 c', '2.2 d$', '3.0 e', '3.1 f$']);
    change(event('network', 'g'));
    expect(await take(stream, 1)).toEqual(['4.0 g$']);
  });
});
