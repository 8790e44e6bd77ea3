/**
 * Text a client sends: only printable text is accepted, and none is ever echoed raw or whole. A
 * control character in a name, an address or a label would reach logs, terminals and `ip` lines; an
 * error message that quotes a megabyte of it would send it back.
 */
import { quoteText as quoteShown } from '../../../common/quoteText';
import { InvalidSpecError } from './errors';
import { MAX_ECHOED_CHARS, MAX_TEXT_FIELD_BYTES } from './limits';

/**
 * What is not printable: control characters (C0 with NUL, DEL, C1), format characters (bidi
 * overrides, zero-width ones: they make text read other than it is), lone surrogates, and the line
 * and paragraph separators.
 */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/u;

/** A key that may stand in a field name as it is (`labels[tier]`); any other is quoted. */
const PLAIN_KEY = /^[A-Za-z0-9_./-]{1,64}$/;

/**
 * Refuses text with an unprintable character, or longer than `maxBytes` in UTF-8, naming the field
 * and the character by its code point (never the character itself).
 */
export function checkText(field: string, text: string, maxBytes = MAX_TEXT_FIELD_BYTES): void {
  const bytes = Buffer.byteLength(text);
  if (bytes > maxBytes) {
    throw new InvalidSpecError(field, `${bytes} bytes is too long: at most ${maxBytes}`);
  }
  const found = UNPRINTABLE.exec(text);
  if (found) {
    throw new InvalidSpecError(
      field,
      `the unprintable character ${codePoint(found[0])} at index ${found.index} is not allowed: only printable text is`,
    );
  }
}

/**
 * A client's text as an error message may quote it: JSON-quoted, every unprintable character escaped
 * (JSON.stringify leaves C1 controls and format characters raw), cut after MAX_ECHOED_CHARS
 * characters with its full length said (common/quoteText, which the CLI quotes with too).
 */
export function quoteText(text: string): string {
  return quoteShown(text, MAX_ECHOED_CHARS);
}

/** The field name of a map entry: `network.labels[tier]`, or with the key quoted when it is not plain. */
export function mapKeyField(field: string, key: string): string {
  return `${field}[${PLAIN_KEY.test(key) ? key : quoteText(key)}]`;
}

function codePoint(c: string): string {
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}
