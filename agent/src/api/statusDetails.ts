import type { Metadata, Status } from 'nice-grpc';
import {
  ApplyAwaitsConfirmationError,
  InvalidSpecError,
  SpecViolationsError,
  type FieldViolation,
} from '../domain/errors';
import { BadRequest, ErrorInfo } from '../../../proto/gen/google/rpc/error_details';
import { Status as RpcStatus } from '../../../proto/gen/google/rpc/status';
import type { Any } from '../../../proto/gen/google/protobuf/any';

/** The trailer of the richer error model (grpc.io/docs/guides/error): a google.rpc.Status, binary. */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';
const ERROR_INFO_TYPE = 'type.googleapis.com/google.rpc.ErrorInfo';
/** The domain of the reasons mvnet-agent defines (google.rpc.ErrorInfo.domain). */
export const ERROR_DOMAIN = 'mvnet.io';
/**
 * The violations' text in the trailer, at most: HTTP/2 peers drop a header list over 64 KiB (Node's
 * default), and the trailer goes base64 beside grpc-message. The first violations that fit are sent;
 * the message says how many there are.
 */
const MAX_DETAILS_BYTES = 24 * 1024;

/**
 * Sets the richer error model's trailer for a refused request whose error has details to give:
 * google.rpc.Status with the status and message the call ends with, and
 * - a google.rpc.BadRequest naming the fields at fault (all of an Apply's spec at once, up to
 *   MAX_DETAILS_BYTES), so that a client can show each next to its line;
 * - a google.rpc.ErrorInfo whose reason a program can act on (an Apply awaits confirmation).
 * Other errors get no trailer: their status and message say it all.
 */
export function setStatusDetails(trailer: Metadata, err: unknown, code: Status, message: string): void {
  const details: Any[] = [];
  if (err instanceof InvalidSpecError)
    details.push({ typeUrl: BAD_REQUEST_TYPE, value: encode(BadRequest, { fieldViolations: fitting(err) }) });
  if (err instanceof ApplyAwaitsConfirmationError) {
    const metadata = { apply_id: err.applyId, deadline: new Date(err.deadline).toISOString() };
    const info = { reason: ApplyAwaitsConfirmationError.reason, domain: ERROR_DOMAIN, metadata };
    details.push({ typeUrl: ERROR_INFO_TYPE, value: encode(ErrorInfo, info) });
  }
  if (details.length === 0) return;
  trailer.set(STATUS_DETAILS_KEY, encode(RpcStatus, { code, message, details }));
}

/** The first violations of `err` within MAX_DETAILS_BYTES (one at least). */
function fitting(err: InvalidSpecError): FieldViolation[] {
  const all =
    err instanceof SpecViolationsError ? err.violations : [{ field: err.field, description: err.problem }];
  const violations: FieldViolation[] = [];
  let bytes = 0;
  for (const v of all) {
    bytes += Buffer.byteLength(v.field) + Buffer.byteLength(v.description) + 8;
    if (bytes > MAX_DETAILS_BYTES && violations.length > 0) break;
    violations.push({ field: v.field, description: v.description });
  }
  return violations;
}

function encode<T>(type: { encode(message: T): { finish(): Uint8Array } }, message: T): Buffer {
  return Buffer.from(type.encode(message).finish());
}
