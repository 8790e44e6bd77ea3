/**
 * The domain's typed errors. Each carries a message a person can act on, naming the field at fault;
 * agent/src/api/errorStatus.ts maps them to gRPC status codes, in one place.
 */

/** Base of every domain error. `cause` is for the logs only and never reaches a caller. */
export abstract class DomainError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The request is malformed: a bad name, CIDR, VLAN id, gateway outside its subnet. INVALID_ARGUMENT. */
export class InvalidSpecError extends DomainError {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/** One refused field of a request, and why (google.rpc.BadRequest's FieldViolation). */
export interface FieldViolation {
  field: string;
  description: string;
}

/**
 * Several fields of one request are malformed, all reported at once (an Apply's spec is checked
 * whole). INVALID_ARGUMENT; the api sends every violation as google.rpc.BadRequest details. The message
 * names the first few, and counts them all: `total` when only the first ones are listed.
 */
export class SpecViolationsError extends InvalidSpecError {
  constructor(
    readonly violations: readonly FieldViolation[],
    total = violations.length,
  ) {
    const shown = violations.slice(0, 5).map((v) => `${v.field}: ${v.description}`);
    const more = total > 5 ? `; and ${total - 5} more` : '';
    super(violations[0].field, violations[0].description);
    const count = total === 1 ? '1 problem' : `${total} problems`;
    this.message = `${count} in the spec: ${shown.join('; ')}${more}`;
  }
}

/** The object does not exist. NOT_FOUND. */
export class NotFoundError extends DomainError {}

/** The object exists with another spec. ALREADY_EXISTS. */
export class AlreadyExistsError extends DomainError {}

/** The host is not in a state that allows the change (parent missing, overlap, in use). FAILED_PRECONDITION. */
export class PreconditionError extends DomainError {}

/**
 * An Apply made with confirm_within awaits confirmation: every other change waits until it is confirmed
 * or rolled back. FAILED_PRECONDITION; the api also sends `reason` and the apply as google.rpc.ErrorInfo,
 * so that a program (the CNI plugin: "try again later") need not read the message.
 */
export class ApplyAwaitsConfirmationError extends PreconditionError {
  static readonly reason = 'APPLY_AWAITS_CONFIRMATION';

  constructor(
    readonly applyId: string,
    readonly deadline: number,
  ) {
    const until = new Date(deadline).toISOString();
    super(
      `apply ${applyId} awaits confirmation until ${until}: confirm it (mvnet apply confirm ${applyId}) or cancel it (mvnet apply cancel ${applyId}) first`,
    );
  }
}

/**
 * A netns ref now names another namespace than the one an endpoint was attached into (its container
 * is gone; its pid, or its name, went to another): the agent does not attach there. The endpoint is LOST.
 */
export class NetnsReplacedError extends PreconditionError {}

/** A compare-and-swap failed: the host changed since the revision the caller read. ABORTED. */
export class ConflictError extends DomainError {}

/**
 * An Apply was undone, whole: a step failed in the kernel, or a probe that passed before the change
 * failed after it. ABORTED, as gNMI's Set; nothing of it stays.
 */
export class ApplyAbortedError extends ConflictError {}

/** A Watch asked for revisions the event log no longer holds. OUT_OF_RANGE: the client re-lists. */
export class OutOfRangeError extends DomainError {}

/** A pool or quota ran out. RESOURCE_EXHAUSTED. */
export class ExhaustedError extends DomainError {}

/**
 * The disk under the state is full: no change can be recorded, so none is made. RESOURCE_EXHAUSTED;
 * reads go on. (The store's SQLITE_FULL, or too little room left before a change starts.)
 */
export class StorageFullError extends ExhaustedError {}

/** The capability exists in the API but not yet in this agent. UNIMPLEMENTED. */
export class NotImplementedError extends DomainError {}

/**
 * A kernel operation failed. `argv`, `exitCode` and `stderr` are for the logs; `message` is short and
 * fit for the caller (FAILED_PRECONDITION, "the kernel refused: ...").
 */
export class KernelError extends DomainError {
  constructor(
    message: string,
    readonly argv: readonly string[] = [],
    readonly exitCode?: number,
    readonly stderr = '',
  ) {
    super(message);
  }
}
