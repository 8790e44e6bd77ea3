/**
 * Runs `work` on every item with at most `parallel` in flight (a new one starts as soon as one ends);
 * returns the wall time of the whole, in ms. The first failure stops new starts and is thrown once
 * those in flight have ended, so nothing is left running behind the caller.
 */
export async function runPool<T>(
  items: readonly T[],
  parallel: number,
  work: (item: T) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure) {
      const item = items[next++];
      try {
        await work(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (failure) throw failure.err;
  return ms;
}
