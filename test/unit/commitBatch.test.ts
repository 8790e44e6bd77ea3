import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CommitBatch } from '../../agent/src/app/CommitBatch';
import { Mutex } from '../../agent/src/app/Mutex';
import type { ChangeEvent } from '../../agent/src/domain/model';
import { Store } from '../../agent/src/store/Store';

const drift = (name: string) => ({
  type: 'DRIFT' as const,
  kind: 'endpoint' as const,
  network: 'n',
  name,
  object: {},
});

describe('CommitBatch: changes asked for together are committed together', () => {
  let dir: string;
  let store: Store;
  let published: ChangeEvent[][];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-commit-'));
    store = Store.open(dir);
    published = [];
    store.subscribe((events) => published.push(events));
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives each change its own revision, in the order asked, in one transaction', async () => {
    const batch = new CommitBatch(store, new Mutex());
    const revisions = await Promise.all(
      ['a', 'b', 'c'].map((n) => batch.commit((tx) => tx.recordEvent(drift(n)))),
    );
    expect(revisions).toEqual([1, 2, 3]);
    // One commit: the listeners hear of all three at once.
    expect(published.map((events) => events.map((e) => e.name))).toEqual([['a', 'b', 'c']]);
    expect(store.revision()).toBe(3);
  });

  it('undoes a change that throws alone: the others are committed, its events never published', async () => {
    const batch = new CommitBatch(store, new Mutex());
    const outcomes = await Promise.allSettled([
      batch.commit((tx) => tx.recordEvent(drift('a'))),
      batch.commit((tx) => {
        tx.recordEvent(drift('doomed'));
        throw new Error('refused');
      }),
      batch.commit((tx) => tx.recordEvent(drift('c'))),
    ]);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([
      1,
      'refused',
      2,
    ]);
    expect(published.flat().map((e) => [e.revision, e.name])).toEqual([
      [1, 'a'],
      [2, 'c'],
    ]);
    // Durable as published: a reopened store has exactly the committed events.
    store.close();
    store = Store.open(dir);
    expect(store.revision()).toBe(2);
    expect(store.eventsAfter(0, 10).map((e) => e.name)).toEqual(['a', 'c']);
  });

  it('waits for the mutex: a change asked for while a section holds it sees what that section did', async () => {
    const mutex = new Mutex();
    const batch = new CommitBatch(store, mutex);
    let release!: () => void;
    const section = mutex.run(
      () =>
        new Promise<void>((resolve) => {
          release = () => {
            store.transact((tx) => tx.recordEvent(drift('first')));
            resolve();
          };
        }),
    );
    const committed = batch.commit((tx) => tx.recordEvent(drift('second')));
    await new Promise((r) => setImmediate(r));
    expect(store.revision()).toBe(0);
    release();
    await section;
    expect(await committed).toBe(2);
  });
});
