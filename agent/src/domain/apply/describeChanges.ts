/**
 * A plan step's reason, for a person: the fields that differ between an object as it is and as the spec
 * wants it, by their proto names, with both values (`subnets[0].gateway: 10.1.0.1 → 10.1.0.254`).
 */
import { MAX_PLAN_REASON_CHARS } from '../limits';

/** One difference: where, and the values before and after. */
export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
}

/** The differences between two plain values (objects, arrays, scalars), leaves first-to-last. */
export function fieldChanges(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => fieldChanges(before[key], after[key], join(path, key, isMap(path))));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((item, i) => fieldChanges(item, after[i], `${path}[${i}]`));
  }
  return [{ path, before, after }];
}

/** Changes as one line: `a: x → y, b: "" → z`, cut to MAX_PLAN_REASON_CHARS with how many more. */
export function describeChanges(changes: readonly FieldChange[]): string {
  const parts = changes.map((c) => `${c.path}: ${show(c.before)} → ${show(c.after)}`);
  let line = '';
  for (let i = 0; i < parts.length; i++) {
    const next = line ? `${line}, ${parts[i]}` : parts[i];
    const rest = parts.length - i - 1;
    const tail = rest > 0 ? ` (and ${rest} more)` : '';
    if (next.length + tail.length > MAX_PLAN_REASON_CHARS) {
      return `${line || parts[i].slice(0, MAX_PLAN_REASON_CHARS - 20)} (and ${parts.length - i} more)`;
    }
    line = next;
  }
  return line;
}

/** Map fields (labels, aux addresses) name their entries as `labels[tier]`; message fields by proto name. */
const MAP_FIELDS = new Set(['labels', 'aux_addresses']);

function isMap(path: string): boolean {
  return MAP_FIELDS.has(path.replace(/^.*[.\]]/, ''));
}

function join(path: string, key: string, inMap: boolean): string {
  if (inMap) return `${path}[${key}]`;
  const name = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return path ? `${path}.${name}` : name;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  if (value === undefined) return '(none)';
  if (typeof value === 'string') return value === '' ? '""' : value;
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
