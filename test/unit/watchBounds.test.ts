import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WatchService, type WatchItem, type WatchRequest } from '../../agent/src/app/WatchService';
import { ExhaustedError, InvalidSpecError, OutOfRangeError } from '../../agent/src/domain/errors';
import { DEFAULT_MAX_WATCHERS, REPLAY_PAGE_BYTES } from '../../agent/src/domain/limits';
import type { EventInput } from '../../agent/src/domain/model';
import { Store } from '../../agent/src/store/Store';

/** A DRIFT event whose stored object is about `bytes` long. */
const sized = (name: string, bytes: number): EventInput => ({
  type: 'DRIFT',
  kind: 'network',
  network: 'n',
  name,
  object: { pad: 'x'.repeat(bytes) },
});

const request = (overrides: Partial<WatchRequest> = {}): WatchRequest => ({
  sinceRevision: 0,
  kinds: [],
  network: '',
  ...overrides,
});

describe('Watch and event log bounds', () => {
  let dir: string;
  let store: Store;
  let watch: WatchService;
  let abort: AbortController;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-watchb-'));
    store = Store.open(dir);
    watch = new WatchService(store, { bookmarkIntervalMs: 60_000, queueCapacity: 100 });
    abort = new AbortController();
  });
  afterEach(() => {
    abort.abort();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Each event as a change of its own: a revision each. */
  const record = (...events: EventInput[]) =>
    events.forEach((e) => store.transact((tx) => tx.recordEvent(e)));

  /** The first item of a watch, or what it threw. */
  async function first(req: WatchRequest): Promise<WatchItem | Error> {
    const stream = watch.watch(req, abort.signal);
    return stream.next().then(
      (r) => r.value as WatchItem,
      (e: Error) => e,
    );
  }

  it('refuses a since_revision ahead of the host with OUT_OF_RANGE, and takes the current one', async () => {
    record(sized('a', 10), sized('b', 10));
    const err = await first(request({ sinceRevision: 3 }));
    expect(err).toBeInstanceOf(OutOfRangeError);
    expect((err as Error).message).toMatch(/^since_revision: 3 is ahead of this host's revision 2/);
    const quick = new WatchService(store, { bookmarkIntervalMs: 10, queueCapacity: 100 });
    const stream = quick.watch(request({ sinceRevision: 2 }), abort.signal);
    expect((await stream.next()).value).toMatchObject({ type: 'BOOKMARK', revision: 2 });
  });

  it('refuses more kinds than there are, and a network filter that is no name', async () => {
    const kinds = await first(request({ kinds: ['network', 'endpoint', 'host', 'network'] }));
    expect(kinds).toBeInstanceOf(InvalidSpecError);
    expect((kinds as InvalidSpecError).field).toBe('kinds');
    const network = await first(request({ network: 'a\u0000b' }));
    expect((network as InvalidSpecError).field).toBe('network');
  });

  it(`serves ${DEFAULT_MAX_WATCHERS} watchers by default, and refuses one more with RESOURCE_EXHAUSTED`, async () => {
    const streams = Array.from({ length: DEFAULT_MAX_WATCHERS }, () => watch.watch(request(), abort.signal));
    for (const stream of streams) expect((await stream.next()).value).toMatchObject({ type: 'SYNCED' });
    expect(watch.activeWatchers()).toBe(DEFAULT_MAX_WATCHERS);
    const refused = await first(request());
    expect(refused).toBeInstanceOf(ExhaustedError);
    expect((refused as Error).message).toContain(`serves ${DEFAULT_MAX_WATCHERS} watch streams`);
    await streams[0].return(undefined);
    expect(watch.activeWatchers()).toBe(DEFAULT_MAX_WATCHERS - 1);
    expect(await first(request())).toMatchObject({ type: 'SYNCED' });
  });

  it('replays the log in pages of bounded bytes, never an empty one', () => {
    const big = REPLAY_PAGE_BYTES / 4;
    record(...['a', 'b', 'c', 'd', 'e', 'f'].map((n) => sized(n, big)));
    const page = store.eventsAfter(0, 500, REPLAY_PAGE_BYTES);
    expect(page.map((e) => e.name)).toEqual(['a', 'b', 'c']);
    expect(store.eventsAfter(0, 500, 10).map((e) => e.name)).toEqual(['a']);
  });

  it('replays every event in order across byte-bounded pages', async () => {
    const big = REPLAY_PAGE_BYTES / 3;
    record(...Array.from({ length: 10 }, (_, i) => sized(`e${i}`, big)));
    const stream = watch.watch(request({ sinceRevision: 0.5 }), abort.signal);
    const names: string[] = [];
    for (let i = 0; i < 10; i++) names.push(((await stream.next()).value as { name: string }).name);
    expect(names).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}`));
    await stream.return(undefined);
  });

  it('keeps the log within its bytes: the oldest events go, the newest stays whatever its size', () => {
    store.setRetention(10_000, 10_000);
    record(sized('a', 3000), sized('b', 3000), sized('c', 3000));
    expect(store.eventsAfter(0).map((e) => e.name)).toEqual(['a', 'b', 'c']);
    record(sized('d', 3000));
    expect(store.eventsAfter(0).map((e) => e.name)).toEqual(['b', 'c', 'd']);
    record(sized('huge', 50_000));
    expect(store.eventsAfter(0).map((e) => e.name)).toEqual(['huge']);
    expect(store.oldestRetainedRevision()).toBe(5);
    record(sized('e', 10));
    expect(store.eventsAfter(0).map((e) => e.name)).toEqual(['e']);
  });

  it('counts the bytes of a change that was undone not at all', () => {
    store.setRetention(10_000, 10_000);
    expect(() =>
      store.transact((tx) => {
        tx.recordEvent(sized('undone', 9000));
        throw new Error('refused');
      }),
    ).toThrow('refused');
    record(sized('a', 4000), sized('b', 4000));
    expect(store.eventsAfter(0).map((e) => e.name)).toEqual(['a', 'b']);
  });
});
