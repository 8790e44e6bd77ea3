import { ClientError, Status, type Metadata } from 'nice-grpc';
import {
  errorInfoFromTrailer,
  fieldViolationsFromTrailer,
  type ErrorInfo,
  type FieldViolation,
} from './statusDetails';

/** Codes worth retrying unchanged: the agent was unreachable or busy, not the request at fault. */
export const RETRYABLE_CODES: readonly Status[] = [
  Status.UNAVAILABLE,
  Status.DEADLINE_EXCEEDED,
  Status.RESOURCE_EXHAUSTED,
];

/**
 * An error from an agent: the gRPC code, its name, and the agent's message (written for a person).
 * `host` names the agent, which matters when an orchestrator talks to many. `fieldViolations` lists
 * every field a refused request got wrong (google.rpc.BadRequest), when the agent sent them: an
 * Apply's spec is checked whole, and each error names its path (`spec.networks[2].vlan_id`).
 * `errorInfo` is the agent's google.rpc.ErrorInfo, when it sent one: a reason a program can act on
 * (errorReasons.ts lists them), rather than the message, which is for a person.
 */
export class MvnetError extends Error {
  readonly codeName: string;
  readonly fieldViolations: readonly FieldViolation[];
  readonly errorInfo: ErrorInfo | undefined;

  constructor(
    readonly code: Status,
    readonly details: string,
    readonly host: string,
    options?: { cause?: unknown; fieldViolations?: readonly FieldViolation[]; errorInfo?: ErrorInfo },
  ) {
    super(`${host}: ${Status[code] ?? code}: ${details}`, options);
    this.name = 'MvnetError';
    this.codeName = Status[code] ?? String(code);
    this.fieldViolations = options?.fieldViolations ?? [];
    this.errorInfo = options?.errorInfo;
  }

  /** The ErrorInfo's reason, or '' when the agent gave none. */
  get reason(): string {
    return this.errorInfo?.reason ?? '';
  }

  get retryable(): boolean {
    return RETRYABLE_CODES.includes(this.code);
  }
}

/**
 * Turns a nice-grpc ClientError into an MvnetError, with the field violations and the ErrorInfo of the
 * call's trailer when there is one; anything else is returned as it is.
 */
export function toMvnetError(err: unknown, host: string, trailer?: Metadata): unknown {
  if (err instanceof ClientError)
    return new MvnetError(err.code, err.details, host, {
      cause: err,
      fieldViolations: fieldViolationsFromTrailer(trailer),
      errorInfo: errorInfoFromTrailer(trailer),
    });
  return err;
}
