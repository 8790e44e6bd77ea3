import { MAX_LABEL_VALUE_LENGTH, MAX_LABELS_BYTES } from '../../agent/src/domain/limits';

/**
 * Labels as large as the agent takes for one object (MAX_LABELS_BYTES of keys and values, each value
 * MAX_LABEL_VALUE_LENGTH long): what a test sends to make events big, within the bounds.
 */
export function bulkyLabels(): Record<string, string> {
  const labels: Record<string, string> = {};
  for (let i = 0, bytes = 0; bytes + 3 + MAX_LABEL_VALUE_LENGTH <= MAX_LABELS_BYTES; i++) {
    const key = `k${String(i).padStart(2, '0')}`;
    labels[key] = `v${'x'.repeat(MAX_LABEL_VALUE_LENGTH - 1)}`;
    bytes += key.length + MAX_LABEL_VALUE_LENGTH;
  }
  return labels;
}
