import { Metadata, Status } from 'nice-grpc';
import { SpecViolationsError, type FieldViolation, type InvalidSpecError } from '../domain/errors';
import { BadRequest } from '../../../proto/gen/google/rpc/error_details';
import { Status as RpcStatus } from '../../../proto/gen/google/rpc/status';

/** The trailer of the richer error model (grpc.io/docs/guides/error): a google.rpc.Status, binary. */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';
/**
 * The violations' text in the trailer, at most: HTTP/2 peers drop a header list over 64 KiB (Node's
 * default), and the trailer goes base64 beside grpc-message. The first violations that fit are sent;
 * the message says how many there are.
 */
const MAX_DETAILS_BYTES = 24 * 1024;

/**
 * Sets the richer error model's trailer for a refused request: google.rpc.Status with the status and
 * message the call ends with, and a google.rpc.BadRequest naming the fields at fault (all of an Apply's
 * spec at once, up to MAX_DETAILS_BYTES), so that a client can show each next to its line.
 */
export function setFieldViolations(trailer: Metadata, err: InvalidSpecError, message: string): void {
  const all =
    err instanceof SpecViolationsError ? err.violations : [{ field: err.field, description: err.problem }];
  const violations: FieldViolation[] = [];
  let bytes = 0;
  for (const v of all) {
    bytes += Buffer.byteLength(v.field) + Buffer.byteLength(v.description) + 8;
    if (bytes > MAX_DETAILS_BYTES && violations.length > 0) break;
    violations.push({ field: v.field, description: v.description });
  }
  const status = RpcStatus.encode({
    code: Status.INVALID_ARGUMENT,
    message,
    details: [
      {
        typeUrl: BAD_REQUEST_TYPE,
        value: Buffer.from(BadRequest.encode({ fieldViolations: violations }).finish()),
      },
    ],
  }).finish();
  trailer.set(STATUS_DETAILS_KEY, status);
}
