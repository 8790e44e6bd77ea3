import { EventQueue } from '../../client/src/fleet/EventQueue';
import { rolloutWaves } from '../../client/src/fleet/waves';

const hosts = (n: number) => Array.from({ length: n }, (_, i) => `h${i + 1}`);

describe('rolloutWaves', () => {
  it('puts the canary hosts alone first, then batches of maxUnavailable', () => {
    expect(rolloutWaves(hosts(6), { canary: 1, maxUnavailable: { count: 2 } })).toEqual([
      ['h1'],
      ['h2', 'h3'],
      ['h4', 'h5'],
      ['h6'],
    ]);
  });

  it('rounds a percentage of all the hosts up, at least one host a wave', () => {
    expect(
      rolloutWaves(hosts(10), { canary: 0, maxUnavailable: { percent: 25 } }).map((w) => w.length),
    ).toEqual([3, 3, 3, 1]);
    expect(
      rolloutWaves(hosts(3), { canary: 0, maxUnavailable: { percent: 1 } }).map((w) => w.length),
    ).toEqual([1, 1, 1]);
    expect(rolloutWaves(hosts(50), { canary: 0, maxUnavailable: { percent: 100 } })).toEqual([hosts(50)]);
  });

  it('takes no more canary hosts than there are, and makes no wave of nothing', () => {
    expect(rolloutWaves(hosts(2), { canary: 5, maxUnavailable: { count: 1 } })).toEqual([['h1', 'h2']]);
    expect(rolloutWaves([], { canary: 1, maxUnavailable: { count: 1 } })).toEqual([]);
    expect(rolloutWaves(hosts(2), { canary: 0, maxUnavailable: { count: 0 } })).toEqual([['h1'], ['h2']]);
  });
});

describe('EventQueue', () => {
  it('gives what concurrent work pushed, in order, then ends; a failure is thrown after the events', async () => {
    const queue = new EventQueue<number>();
    setTimeout(() => queue.push(1), 5);
    setTimeout(() => {
      queue.push(2);
      queue.push(3);
      queue.end();
    }, 10);
    const seen: number[] = [];
    for await (const n of queue) seen.push(n);
    expect(seen).toEqual([1, 2, 3]);

    const failing = new EventQueue<number>();
    failing.push(1);
    failing.fail(new Error('broken'));
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const n of failing) got.push(n);
      })(),
    ).rejects.toThrow('broken');
    expect(got).toEqual([1]);
  });
});
