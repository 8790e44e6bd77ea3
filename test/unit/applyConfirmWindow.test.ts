/**
 * ConfirmWindow, on a real Store: the one Apply awaiting confirmation, durable across a reopen, written
 * only by the transaction it belongs to; and how the last 64 ended.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfirmWindow, type PendingConfirmation } from '../../agent/src/app/apply/ConfirmWindow';
import { Store } from '../../agent/src/store/Store';

function pendingOf(applyId: string): PendingConfirmation {
  return {
    applyId,
    deadline: 1_700_000_060_000,
    revision: 7,
    digest: 'ab'.repeat(32),
    plan: [{ action: 'REPLACE', kind: 'network', name: 'n', network: 'n', reason: 'mtu: 0 → 1400' }],
    previous: { networks: [], endpoints: [] },
  };
}

const idOf = (i: number) => i.toString(16).padStart(16, '0');

describe('ConfirmWindow', () => {
  let dir: string;
  let store: Store;
  let window: ConfirmWindow;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-unit-'));
    store = Store.open(dir);
    window = new ConfirmWindow(store);
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('opens, keeps the pending Apply across a reopen of the state, and closes', () => {
    expect(window.pending()).toBeUndefined();
    store.transact((tx) => window.open(tx, pendingOf(idOf(1))));
    expect(window.pending()).toEqual(pendingOf(idOf(1)));
    expect(store.revision()).toBe(0); // the window is not an observable change of its own
    store.close();
    store = Store.open(dir);
    window = new ConfirmWindow(store);
    expect(window.pending()).toEqual(pendingOf(idOf(1)));
    store.transact((tx) =>
      window.close(tx, { applyId: idOf(1), outcome: 'confirmed', reason: '', revision: 7 }),
    );
    expect(window.pending()).toBeUndefined();
    expect(window.outcome(idOf(1))).toMatchObject({ applyId: idOf(1), outcome: 'confirmed', revision: 7 });
    expect(window.outcome(idOf(2))).toBeUndefined();
  });

  it('writes nothing when the transaction it is part of fails', () => {
    store.transact((tx) => window.open(tx, pendingOf(idOf(1))));
    expect(() =>
      store.transact((tx) => {
        window.close(tx, { applyId: idOf(1), outcome: 'rolled back', reason: 'deadline', revision: 8 });
        throw new Error('the rollback could not be committed');
      }),
    ).toThrow('could not be committed');
    expect(window.pending()).toEqual(pendingOf(idOf(1)));
    expect(window.outcome(idOf(1))).toBeUndefined();
  });

  it('remembers how the last 64 ended, each once, the newest ending of an id winning', () => {
    const close = (i: number, outcome: 'confirmed' | 'rolled back', reason = '') =>
      store.transact((tx) => window.close(tx, { applyId: idOf(i), outcome, reason, revision: i }));
    close(0, 'confirmed');
    close(0, 'rolled back', 'cancelled (CancelApply)');
    expect(window.outcome(idOf(0))).toMatchObject({
      outcome: 'rolled back',
      reason: 'cancelled (CancelApply)',
    });
    for (let i = 1; i <= 70; i++) close(i, i % 2 ? 'confirmed' : 'rolled back', `reason ${i}`);
    const remembered = Array.from({ length: 71 }, (_, i) => window.outcome(idOf(i)) !== undefined);
    expect(remembered.indexOf(true)).toBe(7);
    expect(remembered.slice(7).every(Boolean)).toBe(true);
    expect(remembered.filter(Boolean)).toHaveLength(64);
    expect(window.outcome(idOf(70))).toMatchObject({
      outcome: 'rolled back',
      reason: 'reason 70',
      revision: 70,
    });
    expect(JSON.parse(store.getMeta('apply_outcomes')!)).toHaveLength(64);
  });
});
