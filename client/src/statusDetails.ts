import type { Metadata } from 'nice-grpc';
import { BadRequest, ErrorInfo as RpcErrorInfo } from '../../proto/gen/google/rpc/error_details';
import { Status } from '../../proto/gen/google/rpc/status';

/** One field an agent refused, from google.rpc.BadRequest: `spec.networks[2].vlan_id` and why. */
export interface FieldViolation {
  field: string;
  description: string;
}

/** Why an agent refused a call, from google.rpc.ErrorInfo: a reason a program can act on, and what it concerns. */
export interface ErrorInfo {
  reason: string;
  domain: string;
  metadata: Record<string, string>;
}

/** The trailer gRPC's richer error model uses: a serialized google.rpc.Status. */
export const STATUS_DETAILS_TRAILER = 'grpc-status-details-bin';

const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';
const ERROR_INFO_TYPE = 'type.googleapis.com/google.rpc.ErrorInfo';

/**
 * The details of a failed call of one type: every google.rpc.Status detail in its
 * `grpc-status-details-bin` trailer with this type URL, decoded, in order. None when the trailer is
 * absent, carries other details, or does not decode: the status code and message still tell what
 * failed, so a malformed trailer never hides the error it came with.
 */
function detailsOf<T>(trailer: Metadata | undefined, typeUrl: string, decode: (bytes: Uint8Array) => T): T[] {
  const bytes = trailer?.get(STATUS_DETAILS_TRAILER);
  if (!(bytes instanceof Uint8Array)) return [];
  try {
    return Status.decode(bytes)
      .details.filter((any) => any.typeUrl === typeUrl)
      .map((any) => decode(any.value));
  } catch {
    return [];
  }
}

/** The field violations of a failed call: those of every google.rpc.BadRequest in its trailer. */
export function fieldViolationsFromTrailer(trailer: Metadata | undefined): FieldViolation[] {
  return detailsOf(trailer, BAD_REQUEST_TYPE, (bytes) => BadRequest.decode(bytes))
    .flatMap((request) => request.fieldViolations)
    .map(({ field, description }) => ({ field, description }));
}

/** The first google.rpc.ErrorInfo in a failed call's trailer, when there is one. */
export function errorInfoFromTrailer(trailer: Metadata | undefined): ErrorInfo | undefined {
  const [info] = detailsOf(trailer, ERROR_INFO_TYPE, (bytes) => RpcErrorInfo.decode(bytes));
  return info && { reason: info.reason, domain: info.domain, metadata: { ...info.metadata } };
}
