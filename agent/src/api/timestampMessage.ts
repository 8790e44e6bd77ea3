import type { Timestamp } from '../../../proto/gen/google/protobuf/timestamp';

/** Unix milliseconds as a google.protobuf.Timestamp. */
export function timestampOf(ms: number): Timestamp {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}
