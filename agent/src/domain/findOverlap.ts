import { lastAddress, type Prefix } from './ip';

/** A prefix, and what it stands for (a subnet of a network). */
export interface OwnedPrefix<T> {
  prefix: Prefix;
  owner: T;
}

/**
 * A pair of overlapping prefixes, one of `a` and one of `b` in that order (with `b` omitted: two of
 * `a`, the one that starts later or is smaller first), or undefined. One sort and one sweep, O(n log n) in all the prefixes, where comparing each with each
 * was quadratic: sorted by first address, a prefix overlaps an earlier one exactly when it starts
 * before the furthest end seen so far, so it suffices to keep, per side, the earlier prefix that
 * reaches furthest. Overlaps within `b` are not looked for.
 */
export function findOverlap<T>(a: OwnedPrefix<T>[], b?: OwnedPrefix<T>[]): [T, T] | undefined {
  const sides = b === undefined ? [a] : [a, b];
  const items = sides.flatMap((list, side) =>
    list.map((item) => ({ ...item, side, end: lastAddress(item.prefix) })),
  );
  items.sort(
    (x, y) =>
      x.prefix.family - y.prefix.family ||
      (x.prefix.base < y.prefix.base ? -1 : x.prefix.base > y.prefix.base ? 1 : 0) ||
      x.prefix.bits - y.prefix.bits,
  );
  type Item = (typeof items)[number];
  let furthest: (Item | undefined)[] = [];
  let family = 0;
  for (const item of items) {
    if (item.prefix.family !== family) [family, furthest] = [item.prefix.family, []];
    // With one list, every earlier prefix counts; with two, only those of the other list.
    const other = furthest[b === undefined ? 0 : 1 - item.side];
    if (other && other.end >= item.prefix.base) {
      if (b === undefined || item.side === 0) return [item.owner, other.owner];
      return [other.owner, item.owner];
    }
    const mine = furthest[item.side];
    if (!mine || item.end > mine.end) furthest[item.side] = item;
  }
  return undefined;
}
