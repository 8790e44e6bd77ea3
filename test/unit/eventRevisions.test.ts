import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChangeEvent, EndpointRecord, EventInput, NetworkRecord } from '../../agent/src/domain/model';
import type { HostStateTx } from '../../agent/src/domain/ports/HostState';
import { Store } from '../../agent/src/store/Store';

/** A DRIFT event named `name` whose stored object is about `bytes` long. */
const drift = (name: string, bytes = 10): EventInput => ({
  type: 'DRIFT',
  kind: 'network',
  network: 'n',
  name,
  object: { pad: 'x'.repeat(bytes) },
});

/** `3.1 b`, `3.2 c$`: revision.sequence name, `$` on the last event of its revision. */
const brief = (e: ChangeEvent) => `${e.revision}.${e.sequence} ${e.name}${e.revisionEnd ? '$' : ''}`;

const networkRecord = (name: string): NetworkRecord =>
  ({ spec: { name }, status: { state: 'ready', message: '', revision: 0 } }) as unknown as NetworkRecord;

const endpointRecord = (network: string, name: string): EndpointRecord =>
  ({
    spec: { network, name, netns: name, netnsRef: { name }, ipv4Address: '', ipv6Address: '' },
    status: { state: 'ready', message: '', revision: 0 },
  }) as unknown as EndpointRecord;

describe('the event log: one revision per change, several events under it', () => {
  let dir: string;
  let store: Store;
  let published: ChangeEvent[][];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-revs-'));
    store = Store.open(dir);
    published = [];
    store.subscribe((events) => published.push(events));
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** One change logging these events: one revision. */
  const change = (...names: string[]) => store.transact((tx) => names.map((n) => tx.recordEvent(drift(n))));

  it('logs the events of one change under one revision, numbered, the last marked', () => {
    change('a');
    const revisions = change('b', 'c', 'd');
    expect(revisions).toEqual([2, 2, 2]);
    expect(store.revision()).toBe(2);
    expect(store.eventsAfter(0).map(brief)).toEqual(['1.0 a$', '2.0 b', '2.1 c', '2.2 d$']);
    expect(published.map((events) => events.map(brief))).toEqual([['1.0 a$'], ['2.0 b', '2.1 c', '2.2 d$']]);
  });

  it('stamps the records a change writes with its one revision, and returns it from deletes', () => {
    store.transact((tx) => tx.putNetwork(networkRecord('n1'), 'ADDED'));
    const made = store.transact((tx) => {
      const endpoints = ['e1', 'e2'].map((e) => tx.putEndpoint(endpointRecord('n1', e), 'ADDED'));
      return { endpoints, network: tx.putNetwork(networkRecord('n1'), 'MODIFIED') };
    });
    expect(made.endpoints.map((e) => e.status.revision)).toEqual([2, 2]);
    expect(made.network.status.revision).toBe(2);
    expect(store.getEndpoint('n1', 'e2')?.status.revision).toBe(2);
    const deleted = store.transact((tx) => [
      tx.deleteEndpoint(store.getEndpoint('n1', 'e1')!),
      tx.deleteEndpoint(store.getEndpoint('n1', 'e2')!),
      tx.deleteNetwork(store.getNetwork('n1')!),
    ]);
    expect(deleted).toEqual([3, 3, 3]);
    expect(store.eventsAfter(2).map((e) => `${brief(e)} ${e.type} ${e.kind}`)).toEqual([
      '3.0 e1 DELETED endpoint',
      '3.1 e2 DELETED endpoint',
      '3.2 n1$ DELETED network',
    ]);
  });

  it('takes no revision for a change that logs no event, nor for one that throws', () => {
    change('a');
    store.transact((tx) => tx.setMeta('boot_id', 'x'));
    expect(() =>
      store.transact((tx) => {
        tx.recordEvent(drift('undone'));
        throw new Error('refused');
      }),
    ).toThrow('refused');
    expect(store.revision()).toBe(1);
    expect(change('b')).toEqual([2]);
    expect(published).toHaveLength(2);
  });

  it('gives each change of a group commit its own revision, none to one that throws or logs nothing', () => {
    change('a');
    const outcomes = store.transactEach<number[]>([
      (tx) => [tx.recordEvent(drift('b')), tx.recordEvent(drift('c'))],
      (tx) => {
        tx.recordEvent(drift('undone'));
        throw new Error('refused');
      },
      () => [],
      (tx: HostStateTx) => [tx.recordEvent(drift('d'))],
    ]);
    expect(outcomes.map((o) => ('value' in o ? o.value : 'error'))).toEqual([[2, 2], 'error', [], [3]]);
    expect(store.eventsAfter(1).map(brief)).toEqual(['2.0 b', '2.1 c$', '3.0 d$']);
    expect(published.at(-1)?.map(brief)).toEqual(['2.0 b', '2.1 c$', '3.0 d$']);
  });

  it('ends a page on a revision boundary when the count limit falls inside a revision', () => {
    change('a', 'b');
    change('c', 'd', 'e');
    change('f');
    expect(store.eventsAfter(0, 4).map(brief)).toEqual(['1.0 a', '1.1 b$']);
    expect(store.eventsAfter(0, 5).map(brief)).toEqual(['1.0 a', '1.1 b$', '2.0 c', '2.1 d', '2.2 e$']);
    expect(store.eventsAfter(1, 2).map(brief)).toEqual(['2.0 c', '2.1 d', '2.2 e$']);
    expect(store.eventsAfter(2, 2).map(brief)).toEqual(['3.0 f$']);
  });

  it('ends a page on a revision boundary when the byte bound falls inside a revision', () => {
    change('a');
    store.transact((tx) => ['b', 'c', 'd'].forEach((n) => tx.recordEvent(drift(n, 1000))));
    change('e');
    expect(store.eventsAfter(0, 100, 2500).map(brief)).toEqual(['1.0 a$']);
    // A revision larger than the page, first on it, comes whole: and the page ends after it.
    expect(store.eventsAfter(1, 100, 2500).map(brief)).toEqual(['2.0 b', '2.1 c', '2.2 d$']);
    expect(store.eventsAfter(1, 1, 10).map(brief)).toEqual(['2.0 b', '2.1 c', '2.2 d$']);
    expect(store.eventsAfter(2, 100, 2500).map(brief)).toEqual(['3.0 e$']);
  });

  it('keeps the latest revisions, whole, by count', () => {
    store.setRetention(2);
    change('a', 'b');
    change('c', 'd', 'e');
    change('f', 'g');
    expect(store.eventsAfter(0).map(brief)).toEqual(['2.0 c', '2.1 d', '2.2 e$', '3.0 f', '3.1 g$']);
    expect(store.oldestRetainedRevision()).toBe(2);
  });

  it('drops whole revisions to keep within its bytes, never the newest', () => {
    store.setRetention(10_000, 5000);
    change('a');
    store.transact((tx) => ['b', 'c'].forEach((n) => tx.recordEvent(drift(n, 1500))));
    change('d');
    expect(store.eventsAfter(0).map(brief)).toEqual(['1.0 a$', '2.0 b', '2.1 c$', '3.0 d$']);
    // 2,000 bytes more: cutting revision 1 is not enough, and half of revision 2 is not a cut.
    store.transact((tx) => tx.recordEvent(drift('e', 2000)));
    expect(store.eventsAfter(0).map(brief)).toEqual(['3.0 d$', '4.0 e$']);
    store.transact((tx) => ['f', 'g', 'h'].forEach((n) => tx.recordEvent(drift(n, 3000))));
    expect(store.eventsAfter(0).map(brief)).toEqual(['5.0 f', '5.1 g', '5.2 h$']);
    expect(store.oldestRetainedRevision()).toBe(5);
  });
});
