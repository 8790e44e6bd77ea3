import type { Metadata } from 'nice-grpc';
import { BadRequest } from '../../proto/gen/google/rpc/error_details';
import { Status } from '../../proto/gen/google/rpc/status';

/** One field an agent refused, from google.rpc.BadRequest: `spec.networks[2].vlan_id` and why. */
export interface FieldViolation {
  field: string;
  description: string;
}

/** The trailer gRPC's richer error model uses: a serialized google.rpc.Status. */
export const STATUS_DETAILS_TRAILER = 'grpc-status-details-bin';

const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';

/**
 * The field violations of a failed call: every google.rpc.BadRequest among the details of the
 * google.rpc.Status in its `grpc-status-details-bin` trailer, in order. None when the trailer is
 * absent, carries other details, or does not decode: the status code and message still tell what
 * failed, so a malformed trailer never hides the error it came with.
 */
export function fieldViolationsFromTrailer(trailer: Metadata | undefined): FieldViolation[] {
  const bytes = trailer?.get(STATUS_DETAILS_TRAILER);
  if (!(bytes instanceof Uint8Array)) return [];
  try {
    return Status.decode(bytes)
      .details.filter((any) => any.typeUrl === BAD_REQUEST_TYPE)
      .flatMap((any) => BadRequest.decode(any.value).fieldViolations)
      .map(({ field, description }) => ({ field, description }));
  } catch {
    return [];
  }
}
