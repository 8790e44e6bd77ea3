import { Metadata, Status } from 'nice-grpc';
import { SpecViolationsError, type InvalidSpecError } from '../domain/errors';
import { BadRequest } from '../../../proto/gen/google/rpc/error_details';
import { Status as RpcStatus } from '../../../proto/gen/google/rpc/status';

/** The trailer of the richer error model (grpc.io/docs/guides/error): a google.rpc.Status, binary. */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';

/**
 * Sets the richer error model's trailer for a refused request: google.rpc.Status with the status and
 * message the call ends with, and a google.rpc.BadRequest naming every field at fault (all of an
 * Apply's spec at once), so that a client can show each next to its line.
 */
export function setFieldViolations(trailer: Metadata, err: InvalidSpecError, message: string): void {
  const violations =
    err instanceof SpecViolationsError ? err.violations : [{ field: err.field, description: err.problem }];
  const status = RpcStatus.encode({
    code: Status.INVALID_ARGUMENT,
    message,
    details: [
      {
        typeUrl: BAD_REQUEST_TYPE,
        value: Buffer.from(
          BadRequest.encode({ fieldViolations: violations.map((v) => ({ ...v })) }).finish(),
        ),
      },
    ],
  }).finish();
  trailer.set(STATUS_DETAILS_KEY, status);
}
