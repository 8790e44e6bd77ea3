/**
 * The leases of a network are kept in memory once read (LeaseTable), and must never differ from the
 * table: writes show at once, a change that is rolled back (alone, in a group commit, or whole) takes
 * its writes out of memory too.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Store } from '../../agent/src/store/Store';

describe('the leases kept in memory', () => {
  let dir: string;
  let store: Store;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-leases-'));
    store = Store.open(dir);
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** What the table holds for network n, read past the memory (one address at a time). */
  const onDisk = (...addresses: string[]) => addresses.map((a) => store.leaseHolder('n', a));
  const inMemory = () => Object.fromEntries(store.leases('n'));

  it('shows writes at once: held, taken over, released', () => {
    expect(inMemory()).toEqual({}); // read (and kept) before any write
    store.transact((tx) => tx.putLease('n', '10.0.0.2', 'endpoint a'));
    store.transact((tx) => tx.putLease('n', '10.0.0.3', 'endpoint b'));
    expect(inMemory()).toEqual({ '10.0.0.2': 'endpoint a', '10.0.0.3': 'endpoint b' });
    store.transact((tx) => tx.putLease('n', '10.0.0.3', 'endpoint c'));
    store.transact((tx) => tx.releaseLeases('n', 'endpoint a'));
    expect(inMemory()).toEqual({ '10.0.0.3': 'endpoint c' });
    expect(onDisk('10.0.0.2', '10.0.0.3')).toEqual([undefined, 'endpoint c']);
  });

  it('forgets what a rolled-back change wrote, whole or as one change of a group commit', () => {
    expect(inMemory()).toEqual({});
    expect(() =>
      store.transact((tx) => {
        tx.putLease('n', '10.0.0.9', 'endpoint x');
        throw new Error('refused after the write');
      }),
    ).toThrow('refused after the write');
    expect(inMemory()).toEqual({});
    const outcomes = store.transactEach([
      (tx) => tx.putLease('n', '10.0.0.4', 'endpoint kept'),
      (tx) => {
        tx.putLease('n', '10.0.0.5', 'endpoint undone');
        expect(store.leases('n').get('10.0.0.5')).toBe('endpoint undone'); // seen inside its change
        throw new Error('this one fails');
      },
    ]);
    expect(outcomes[1]).toEqual({ error: new Error('this one fails') });
    expect(inMemory()).toEqual({ '10.0.0.4': 'endpoint kept' });
    expect(onDisk('10.0.0.4', '10.0.0.5')).toEqual(['endpoint kept', undefined]);
  });
});
