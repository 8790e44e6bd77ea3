import { checkText, mapKeyField } from '../domain/clientText';

/** The API's map fields (proto `map<string, string>`), by their ts-proto names: their keys are text too. */
const MAP_FIELDS = new Set(['labels', 'auxAddresses']);

/**
 * Checks every string of a decoded request, at any depth and map keys included, before any work:
 * printable, and at most MAX_TEXT_FIELD_BYTES (checkText). A refusal names the field as the .proto
 * spells it, from the request down: `network.subnets[0].aux_addresses[nas]`, `endpoint.name`, `name`.
 * The domain checks each field's own rules later; this is the rule every field shares.
 */
export function checkRequestText(message: unknown, field = ''): void {
  if (typeof message === 'string') {
    checkText(field || 'request', message);
  } else if (Array.isArray(message)) {
    message.forEach((item, i) => checkRequestText(item, `${field}[${i}]`));
  } else if (message !== null && typeof message === 'object') {
    for (const [key, value] of Object.entries(message)) {
      const name = field ? `${field}.${protoName(key)}` : protoName(key);
      if (!MAP_FIELDS.has(key) || value === null || typeof value !== 'object') {
        checkRequestText(value, name);
        continue;
      }
      for (const [entryKey, entryValue] of Object.entries(value as Record<string, unknown>)) {
        const entry = mapKeyField(name, entryKey);
        checkText(entry, entryKey);
        checkRequestText(entryValue, entry);
      }
    }
  }
}

/** A ts-proto field name as the .proto has it: ipv4Address → ipv4_address. */
function protoName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
