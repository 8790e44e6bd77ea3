/**
 * Every bound the agent puts on what a client sends and on what it keeps, in one place (README,
 * "Bounds"). The agent is root and serves one thread: each bound is checked before any work is done
 * for a request, and a request past one is refused with a status naming the field (INVALID_ARGUMENT
 * for a malformed request, RESOURCE_EXHAUSTED for a host that is full).
 *
 * The sizes hang together: the largest network these bounds allow encodes to about 6 KiB and the
 * largest endpoint to under 1.5 KiB, so a full ListNetworks (MAX_NETWORKS_PER_HOST), a full
 * ListEndpoints (MAX_ENDPOINTS_PER_HOST) and an Apply of a whole host (both together), and its plan,
 * each fit in one MAX_MESSAGE_BYTES message, without paging (test/unit/limits.test.ts encodes them and
 * checks). Raising a count means adding paging first.
 */

/** One gRPC message, in and out (grpc-js `grpc.max_receive_message_length` and `..._send_...`: its default). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** HTTP/2 streams (calls) open at once on one connection (grpc-js `grpc.max_concurrent_streams`). */
export const MAX_STREAMS_PER_CONNECTION = 128;

/** Watch streams open at once on one agent, by default (`--max-watchers`); one more: RESOURCE_EXHAUSTED. */
export const DEFAULT_MAX_WATCHERS = 1000;

/** Networks on one host: a full ListNetworks fits in one message. RESOURCE_EXHAUSTED past it. */
export const MAX_NETWORKS_PER_HOST = 128;

/** Endpoints on one host, all networks together: a full ListEndpoints fits in one message. */
export const MAX_ENDPOINTS_PER_HOST = 1024;

/** Subnets of one network (Docker users give one per family, rarely more). */
export const MAX_SUBNETS_PER_NETWORK = 8;

/** Aux addresses of one network, all its subnets together. */
export const MAX_AUX_ADDRESSES_PER_NETWORK = 16;

/** An aux address's name: 1-63 characters of A-Z a-z 0-9 _ . -, starting with a letter or digit. */
export const MAX_AUX_NAME_LENGTH = 63;

/** Labels of one object. */
export const MAX_LABELS = 32;

/** Keys and values of one object's labels together, in bytes (they are ASCII). */
export const MAX_LABELS_BYTES = 2048;

/** Keys and values of one endpoint's labels together, in bytes: an endpoint stays small (a host has many). */
export const MAX_ENDPOINT_LABELS_BYTES = 512;

/** A plan step's reason, in characters: the first changes, then how many more. */
export const MAX_PLAN_REASON_CHARS = 256;

/** confirm_within of an Apply: at least a second (probes need time), at most an hour. */
export const MIN_CONFIRM_WITHIN_MS = 1000;
export const MAX_CONFIRM_WITHIN_MS = 60 * 60 * 1000;

/** A label key's optional prefix: a DNS subdomain (Kubernetes: `example.com/` in `example.com/tier`). */
export const MAX_LABEL_PREFIX_LENGTH = 253;

/** A label key's name, and a label's value (Kubernetes' 63). */
export const MAX_LABEL_NAME_LENGTH = 63;
export const MAX_LABEL_VALUE_LENGTH = 63;

/**
 * The value of a label under CNI_LABEL_PREFIX, which the CNI plugin sets: a runtime's container id is
 * 64 hex digits (containerd, CRI-O, podman), one past Kubernetes' 63, and the label carries it whole.
 */
export const CNI_LABEL_PREFIX = 'cni.mvnet.io/';
export const MAX_CNI_LABEL_VALUE_LENGTH = 255;

/**
 * Any one string of any request, in bytes: a catch-all above the longest field the API has (a label
 * key: 253 + 1 + 63); the fields have tighter rules of their own.
 */
export const MAX_TEXT_FIELD_BYTES = 1024;

/** The kinds a Watch may filter on (there are three). */
export const MAX_WATCH_KINDS = 3;

/** How much of a client's text an error message quotes; the rest is cut, with the length said. */
export const MAX_ECHOED_CHARS = 64;

/** A status message the agent stores for an object (kernel errors are cut to it). */
export const MAX_STATUS_MESSAGE_CHARS = 256;

/**
 * A Watch replays the log in pages of whole revisions, of at most this many events...
 */
export const REPLAY_PAGE_EVENTS = 500;

/**
 * ...and this many bytes of stored events. A page holds at least one revision: a first revision larger
 * than the page comes whole, and a revision is bounded by what one change can touch (the objects of a
 * host: MAX_NETWORKS_PER_HOST networks and MAX_ENDPOINTS_PER_HOST endpoints, a few MiB at most).
 */
export const REPLAY_PAGE_BYTES = 256 * 1024;

/**
 * Revisions the log keeps for Watch to replay, by default (`--event-retention`), each with all its
 * events: retention counts revisions, not events, because a watcher resumes from a revision and
 * compaction drops whole revisions only. The bytes below bound what many-event revisions weigh.
 */
export const DEFAULT_EVENT_RETENTION = 10_000;

/**
 * Bytes of events the log keeps, by default (`--event-retention-bytes`): whichever bound is hit first.
 * Whole revisions go, oldest first; the newest stays whatever its size.
 */
export const DEFAULT_EVENT_RETENTION_BYTES = 32 * 1024 * 1024;

/**
 * Free space (df's "Avail") the state dir's filesystem must have for a mutation to start: below it,
 * mutations are RESOURCE_EXHAUSTED before any work, and reads go on. Above the most one change writes.
 */
export const MIN_FREE_STATE_BYTES = 1024 * 1024;
