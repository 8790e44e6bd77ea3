import { mapKeyField } from './clientText';
import { InvalidSpecError } from './errors';
import {
  MAX_LABEL_NAME_LENGTH,
  MAX_LABEL_PREFIX_LENGTH,
  MAX_LABEL_VALUE_LENGTH,
  CNI_LABEL_PREFIX,
  MAX_CNI_LABEL_VALUE_LENGTH,
  MAX_LABELS,
  MAX_LABELS_BYTES,
} from './limits';

/** Kubernetes' "qualified name": alphanumerics with - _ . inside. */
const QUALIFIED_NAME = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** A DNS-1123 subdomain: lower-case labels joined by dots. */
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Whether a map key is one no object may take: a property every JavaScript object already has
 * (`__proto__`, `constructor`, `toString`...) or `prototype`. Written into a plain object, such a key
 * changes the object's behaviour instead of holding a value.
 */
export function isReservedKey(key: string): boolean {
  return key === 'prototype' || Object.prototype.hasOwnProperty.call(Object.prototype, key);
}

/**
 * Checks an object's labels by Kubernetes' rules and returns them sorted by key: at most MAX_LABELS,
 * MAX_LABELS_BYTES in all; a key is an optional DNS-subdomain prefix and `/`, then a name of 1-63
 * characters (A-Z a-z 0-9, with - _ . inside); a value is "" or such a name. `field` is the map's
 * field (`network.labels`); a refusal names the entry.
 */
export function normalizeLabels(
  labels: Record<string, string>,
  field: string,
  maxBytes = MAX_LABELS_BYTES,
): Record<string, string> {
  const keys = Object.keys(labels);
  if (keys.length > MAX_LABELS)
    throw new InvalidSpecError(field, `${keys.length} labels is too many: at most ${MAX_LABELS}`);
  let bytes = 0;
  for (const key of keys) {
    checkLabelKey(key, mapKeyField(field, key));
    checkLabelValue(key, labels[key], mapKeyField(field, key));
    bytes += key.length + labels[key].length;
  }
  if (bytes > maxBytes) {
    throw new InvalidSpecError(
      field,
      `${bytes} bytes of keys and values is too many: at most ${maxBytes} in all`,
    );
  }
  const sorted: Record<string, string> = {};
  for (const key of keys.sort()) sorted[key] = labels[key];
  return sorted;
}

function checkLabelKey(key: string, field: string): void {
  if (key === '') throw new InvalidSpecError(field, 'a label needs a non-empty key');
  if (isReservedKey(key))
    throw new InvalidSpecError(field, 'a reserved key (a property of every object): use another');
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined) {
    if (prefix.length > MAX_LABEL_PREFIX_LENGTH || !DNS_SUBDOMAIN.test(prefix)) {
      throw new InvalidSpecError(
        field,
        `the key's prefix must be a DNS subdomain of at most ${MAX_LABEL_PREFIX_LENGTH} characters (lower-case letters, digits, - and .), e.g. example.com/tier`,
      );
    }
  }
  if (name.length > MAX_LABEL_NAME_LENGTH || !QUALIFIED_NAME.test(name)) {
    throw new InvalidSpecError(
      field,
      `a key is [prefix/]name, the name 1-${MAX_LABEL_NAME_LENGTH} characters of A-Z a-z 0-9 with - _ . inside`,
    );
  }
}

/** A value is "" or a name of up to 63 characters; up to 255 under cni.mvnet.io/ (a container id). */
function checkLabelValue(key: string, value: string, field: string): void {
  const max = key.startsWith(CNI_LABEL_PREFIX) ? MAX_CNI_LABEL_VALUE_LENGTH : MAX_LABEL_VALUE_LENGTH;
  if (value !== '' && (value.length > max || !QUALIFIED_NAME.test(value))) {
    throw new InvalidSpecError(
      field,
      `a value is empty or 1-${max} characters of A-Z a-z 0-9 with - _ . inside`,
    );
  }
}
