/**
 * The CNI spec's error codes (SPEC.md, "Error"): 1-99 are the spec's own, 100 and up the plugin's.
 * A CniError is what the plugin prints as the error object, and its exit status is non-zero.
 */
export const CniCode = {
  INCOMPATIBLE_VERSION: 1,
  UNSUPPORTED_FIELD: 2,
  UNKNOWN_CONTAINER: 3,
  INVALID_ENVIRONMENT: 4,
  IO_FAILURE: 5,
  DECODING_FAILURE: 6,
  INVALID_NETWORK_CONFIG: 7,
  TRY_AGAIN_LATER: 11,
  PLUGIN_NOT_AVAILABLE: 50,
  /** The agent refused the change for a reason of its own (the message says which). */
  AGENT_REFUSED: 100,
  /** CHECK found the attachment not as ADD left it. */
  CHECK_FAILED: 101,
} as const;

export class CniError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly details = '',
  ) {
    super(message);
  }
}
