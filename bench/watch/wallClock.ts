/**
 * The agent stamps each event with the wall clock (Date.now(): CLOCK_REALTIME, in whole ms); the
 * benchmark times on CLOCK_MONOTONIC (process.hrtime.bigint()). Both clocks are the machine's, shared
 * by every process; their difference is read at the instant Date.now() ticks to the next ms, which
 * puts a stamp on the monotonic clock to about a microsecond.
 */

/** CLOCK_REALTIME − CLOCK_MONOTONIC, in ns (busy for up to 1 ms, waiting for the tick). */
export function wallMinusMonotonicNs(): bigint {
  const start = Date.now();
  let mono: bigint;
  let wall: number;
  do {
    mono = process.hrtime.bigint();
    wall = Date.now();
  } while (wall === start);
  return BigInt(wall) * 1_000_000n - mono;
}

/**
 * The start of the wall-clock millisecond `stampMs` on the monotonic clock: a stamp taken with
 * Date.now() fell within the ms that follows.
 */
export function stampToMonotonicNs(stampMs: number, wallMinusMonotonic: bigint): bigint {
  return BigInt(Math.floor(stampMs)) * 1_000_000n - wallMinusMonotonic;
}
