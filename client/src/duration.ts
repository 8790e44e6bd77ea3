import { quoteText } from '../../common/quoteText';

/** Milliseconds per unit of a duration text, largest first (the order units must come in). */
const UNITS: readonly (readonly [string, number])[] = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

/** At most 64 characters: `1h2m3s4ms` needs 9; anything longer is a mistake, not a duration. */
const MAX_DURATION_TEXT = 64;

/**
 * Reads a duration as Go's time.ParseDuration and kubectl write them, in whole units: `90s`, `2m`,
 * `1h`, `1m30s`, `1500ms`. Units come largest first, each at most once; no sign, no fraction, no
 * spaces. Throws an Error saying what was expected.
 */
export function parseDuration(text: string): number {
  const expected = `expected a duration such as 90s, 2m, 1h or 1m30s, not ${quoteText(text)}`;
  if (text.length === 0 || text.length > MAX_DURATION_TEXT) throw new Error(expected);
  let rest = text;
  let total = 0;
  let nextUnit = 0;
  while (rest !== '') {
    const match = /^(\d{1,9})(ms|h|m|s)/.exec(rest);
    if (!match) throw new Error(expected);
    const unit = UNITS.findIndex(([name]) => name === match[2]);
    if (unit < nextUnit) throw new Error(`${expected} (units go h, m, s, ms, each once)`);
    total += Number(match[1]) * UNITS[unit][1];
    nextUnit = unit + 1;
    rest = rest.slice(match[0].length);
  }
  return total;
}

/** A duration for people, in the form parseDuration reads: `1m30s`, `2m`, `1h`, `0s`. */
export function formatDuration(ms: number): string {
  let rest = Math.round(ms);
  const parts: string[] = [];
  for (const [name, size] of UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${name}`);
    rest -= count * size;
  }
  return parts.length === 0 ? '0s' : parts.join('');
}
