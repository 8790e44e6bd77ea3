/**
 * MutationGate: client mutations pass together (shared), an Apply passes alone (exclusive), once the
 * mutations in flight are done; a waiting Apply goes before mutations that come after it; and whether
 * a mutation is refused (an Apply awaits confirmation) is decided when it is admitted, not when it came.
 */
import { MutationGate } from '../../agent/src/app/MutationGate';

/** A call that runs until the test lets it end, recording when it started and ended. */
function gatedCall(log: string[], name: string) {
  let finish!: () => void;
  const released = new Promise<void>((resolve) => (finish = resolve));
  return {
    run: async () => {
      log.push(`${name} start`);
      await released;
      log.push(`${name} end`);
      return name;
    },
    finish,
  };
}

/** Lets every promise that can move, move. */
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('MutationGate', () => {
  let gate: MutationGate;
  let log: string[];
  beforeEach(() => {
    gate = new MutationGate();
    log = [];
  });

  it('lets shared calls overlap', async () => {
    const a = gatedCall(log, 'a');
    const b = gatedCall(log, 'b');
    const done = [gate.shared(a.run), gate.shared(b.run)];
    await flush();
    expect(log).toEqual(['a start', 'b start']);
    b.finish();
    a.finish();
    expect(await Promise.all(done)).toEqual(['a', 'b']);
    expect(log).toEqual(['a start', 'b start', 'b end', 'a end']);
  });

  it('starts an exclusive call once the shared calls in flight are done, and runs it alone', async () => {
    const a = gatedCall(log, 'a');
    const b = gatedCall(log, 'b');
    const apply = gatedCall(log, 'apply');
    const later = gatedCall(log, 'later');
    const done = [gate.shared(a.run), gate.shared(b.run), gate.exclusive(apply.run)];
    await flush();
    a.finish();
    await flush();
    expect(log).toEqual(['a start', 'b start', 'a end']); // b is still in flight
    b.finish();
    await flush();
    expect(log.slice(3)).toEqual(['b end', 'apply start']);
    done.push(gate.shared(later.run));
    await flush();
    expect(log).not.toContain('later start'); // nothing runs beside it
    apply.finish();
    await flush();
    expect(log.slice(5)).toEqual(['apply end', 'later start']);
    later.finish();
    expect(await Promise.all(done)).toEqual(['a', 'b', 'apply', 'later']);
  });

  it('lets a waiting exclusive call go before shared calls that came after it', async () => {
    const a = gatedCall(log, 'a');
    const apply = gatedCall(log, 'apply');
    const b = gatedCall(log, 'b');
    const done = [gate.shared(a.run), gate.exclusive(apply.run), gate.shared(b.run)];
    await flush();
    expect(log).toEqual(['a start']);
    a.finish();
    await flush();
    expect(log).toEqual(['a start', 'a end', 'apply start']);
    apply.finish();
    await flush();
    b.finish();
    await Promise.all(done);
    expect(log).toEqual(['a start', 'a end', 'apply start', 'apply end', 'b start', 'b end']);
  });

  it('runs exclusive calls one at a time, in the order they came', async () => {
    const first = gatedCall(log, 'first');
    const second = gatedCall(log, 'second');
    const done = [gate.exclusive(first.run), gate.exclusive(second.run)];
    await flush();
    expect(log).toEqual(['first start']);
    first.finish();
    await flush();
    second.finish();
    await Promise.all(done);
    expect(log).toEqual(['first start', 'first end', 'second start', 'second end']);
  });

  it('decides a refusal when a shared call is admitted: one that waited behind an Apply hears of its window', async () => {
    let awaiting = false;
    gate.refusal = () => {
      if (awaiting) throw new Error('an apply awaits confirmation');
    };
    const apply = gatedCall(log, 'apply');
    const running = gate.exclusive(async () => {
      const result = await apply.run();
      awaiting = true; // the Apply committed with confirm_within
      return result;
    });
    const mutation = jest.fn(async () => 'made');
    const waiting = gate.shared(mutation);
    await flush();
    apply.finish();
    await expect(waiting).rejects.toThrow('an apply awaits confirmation');
    await running;
    expect(mutation).not.toHaveBeenCalled();
    // A refused call holds nothing: an exclusive call gets through after it.
    expect(await gate.exclusive(async () => 'next')).toBe('next');
    awaiting = false;
    expect(await gate.shared(mutation)).toBe('made');
  });

  it('releases the gate when a call throws, shared or exclusive', async () => {
    await expect(
      gate.shared(async () => {
        throw new Error('kernel said no');
      }),
    ).rejects.toThrow('kernel said no');
    await expect(
      gate.exclusive(async () => {
        throw new Error('apply failed');
      }),
    ).rejects.toThrow('apply failed');
    const a = gatedCall(log, 'a');
    const b = gatedCall(log, 'b');
    const done = [gate.shared(a.run), gate.shared(b.run)];
    await flush();
    expect(log).toEqual(['a start', 'b start']);
    a.finish();
    b.finish();
    await Promise.all(done);
    expect(await gate.exclusive(async () => 'alone')).toBe('alone');
  });
});
