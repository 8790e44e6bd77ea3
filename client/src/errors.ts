import { ClientError, Status } from 'nice-grpc';

/** Codes worth retrying unchanged: the agent was unreachable or busy, not the request at fault. */
export const RETRYABLE_CODES: readonly Status[] = [
  Status.UNAVAILABLE,
  Status.DEADLINE_EXCEEDED,
  Status.RESOURCE_EXHAUSTED,
];

/**
 * An error from an agent: the gRPC code, its name, and the agent's message (written for a person).
 * `host` names the agent, which matters when an orchestrator talks to many.
 */
export class MvnetError extends Error {
  readonly codeName: string;

  constructor(
    readonly code: Status,
    readonly details: string,
    readonly host: string,
    options?: { cause?: unknown },
  ) {
    super(`${host}: ${Status[code] ?? code}: ${details}`, options);
    this.name = 'MvnetError';
    this.codeName = Status[code] ?? String(code);
  }

  get retryable(): boolean {
    return RETRYABLE_CODES.includes(this.code);
  }
}

/** Turns a nice-grpc ClientError into an MvnetError; anything else is returned as it is. */
export function toMvnetError(err: unknown, host: string): unknown {
  if (err instanceof ClientError) return new MvnetError(err.code, err.details, host, { cause: err });
  return err;
}
