import { ServerError, Status, type CallContext, type ServerMiddlewareCall } from 'nice-grpc';
import type { Logger } from 'pino';
import {
  AlreadyExistsError,
  ConflictError,
  DomainError,
  ExhaustedError,
  InvalidSpecError,
  StorageFullError,
  NotFoundError,
  NotImplementedError,
  OutOfRangeError,
  PreconditionError,
} from '../domain/errors';
import { KernelError } from '../domain/errors';
import { setStatusDetails } from './statusDetails';

const STATUS_OF: [new (...args: never[]) => DomainError, Status][] = [
  [InvalidSpecError, Status.INVALID_ARGUMENT],
  [NotFoundError, Status.NOT_FOUND],
  [AlreadyExistsError, Status.ALREADY_EXISTS],
  [PreconditionError, Status.FAILED_PRECONDITION],
  [ConflictError, Status.ABORTED],
  [StorageFullError, Status.RESOURCE_EXHAUSTED],
  [ExhaustedError, Status.RESOURCE_EXHAUSTED],
  [OutOfRangeError, Status.OUT_OF_RANGE],
  [NotImplementedError, Status.UNIMPLEMENTED],
];

/**
 * The one place where errors become gRPC statuses. Domain errors keep their message; a KernelError
 * becomes FAILED_PRECONDITION with its short message (argv and stderr go to the log only); anything else
 * is an INTERNAL error whose details stay in the log.
 */
export function toServerError(err: unknown, logger: Logger, method: string): ServerError {
  if (err instanceof ServerError) return err;
  // The client went away (or the call was aborted): nobody hears the status, and nothing went wrong here.
  if (err instanceof Error && err.name === 'AbortError')
    return new ServerError(Status.CANCELLED, 'call cancelled');
  for (const [type, status] of STATUS_OF) {
    if (err instanceof type) return new ServerError(status, err.message);
  }
  if (err instanceof KernelError) {
    logger.warn({ method, argv: err.argv, exitCode: err.exitCode, stderr: err.stderr }, err.message);
    return new ServerError(Status.FAILED_PRECONDITION, `the kernel refused: ${err.message}`);
  }
  logger.error({ method, err }, 'internal error');
  return new ServerError(Status.INTERNAL, 'internal error in mvnet-agent (see its log)');
}

/**
 * Server middleware applying toServerError to every call, unary and streaming; a refused field, or a
 * reason a program can act on, is also sent in the richer error model's trailer (statusDetails).
 */
export function errorStatusMiddleware(logger: Logger) {
  return async function* <Request, Response>(
    call: ServerMiddlewareCall<Request, Response>,
    context: CallContext,
  ): AsyncGenerator<Response, Response | void, undefined> {
    try {
      return yield* call.next(call.request, context);
    } catch (err) {
      const error = toServerError(err, logger, call.method.path);
      setStatusDetails(context.trailer, err, error.code, error.details);
      throw error;
    }
  };
}
