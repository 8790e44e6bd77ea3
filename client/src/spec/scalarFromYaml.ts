import { ScalarType, type JsonValue } from '@bufbuild/protobuf';
import { isAlias, isMap, isScalar, isSeq, type Node } from 'yaml';
import { quoteText } from '../../../common/quoteText';

/** A YAML value as proto3 JSON, or why it does not fit the field. */
export type Checked = { json: JsonValue } | { problem: string };

const INT32: [number, number] = [-(2 ** 31), 2 ** 31 - 1];
const UINT32: [number, number] = [0, 2 ** 32 - 1];

const RANGES: Partial<Record<ScalarType, [number, number]>> = {
  [ScalarType.INT32]: INT32,
  [ScalarType.SINT32]: INT32,
  [ScalarType.SFIXED32]: INT32,
  [ScalarType.UINT32]: UINT32,
  [ScalarType.FIXED32]: UINT32,
};

const INT64_TYPES = [
  ScalarType.INT64,
  ScalarType.SINT64,
  ScalarType.SFIXED64,
  ScalarType.UINT64,
  ScalarType.FIXED64,
];

/**
 * Checks a YAML scalar against a proto scalar type, as proto3 JSON reads them: text for strings
 * (and bytes, in base64), true or false for bools, whole numbers in range for integers (also as
 * decimal text; 64-bit ones stay text), numbers for floats. A YAML number or bool where text is
 * expected is refused with a hint to quote it: `tier: 1` is the number 1, not the text "1".
 */
export function checkScalar(node: Node | undefined, type: ScalarType): Checked {
  const value = isScalar(node) ? node.value : undefined;
  const got = describeYaml(node);
  if (type === ScalarType.STRING || type === ScalarType.BYTES) {
    if (typeof value === 'string') return { json: value };
    const hint =
      typeof value === 'number' || typeof value === 'boolean' ? ` (quote it: "${String(value)}")` : '';
    return { problem: `expected text, got ${got}${hint}` };
  }
  if (type === ScalarType.BOOL) {
    return typeof value === 'boolean' ? { json: value } : { problem: `expected true or false, got ${got}` };
  }
  if (type === ScalarType.FLOAT || type === ScalarType.DOUBLE) {
    return typeof value === 'number' ? { json: value } : { problem: `expected a number, got ${got}` };
  }
  const whole =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^-?\d{1,20}$/.test(value)
        ? value
        : undefined;
  if (whole === undefined || (typeof whole === 'number' && !Number.isInteger(whole)))
    return { problem: `expected a whole number, got ${got}` };
  if (INT64_TYPES.includes(type)) {
    const text = typeof whole === 'number' ? String(whole) : whole;
    if (typeof whole === 'number' && !Number.isSafeInteger(whole))
      return { problem: `${got} is not exact: write it as text` };
    if (text.startsWith('-') && (type === ScalarType.UINT64 || type === ScalarType.FIXED64))
      return { problem: `expected a whole number from 0, got ${got}` };
    return { json: text };
  }
  const number = Number(whole);
  const [min, max] = RANGES[type] ?? [-Infinity, Infinity];
  if (number < min || number > max)
    return { problem: `expected a whole number from ${min} to ${max}, got ${got}` };
  return { json: number };
}

/** A YAML value as a message names it: `a mapping`, `a list`, `the number 5`, `the text "x"`, `null`. */
export function describeYaml(node: Node | undefined): string {
  if (node === undefined) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isAlias(node)) return `the alias *${node.source}, which names no anchor before it`;
  if (!isScalar(node)) return 'an unknown YAML node';
  const value = node.value;
  if (value === null) return 'null';
  if (typeof value === 'string') return `the text ${quoteText(value)}`;
  if (typeof value === 'number' || typeof value === 'bigint') return `the number ${String(value)}`;
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Uint8Array) return 'binary data';
  return 'a value of another type';
}
