/**
 * Decoding a request as the client sent it, and refusing one that cannot be decoded with a status
 * that says so, instead of grpc-js's INTERNAL "Error deserializing request".
 */
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { DomainError, InvalidSpecError, OutOfRangeError } from '../domain/errors';
import {
  Network_LabelsEntry,
  Subnet_AuxAddressesEntry,
  type Network,
} from '../../../proto/gen/mvnet/v1/network';

/** The refusal a request that could not be decoded carries to requestChecksMiddleware. */
export const UNDECODABLE = Symbol('undecodable request');

/** The one map key the decoder loses: assigned to a plain object, `__proto__` sets nothing. */
const PROTO_KEY = '__proto__';

interface TsProtoMethod {
  requestType: { decode(bytes: Uint8Array): unknown };
}

/**
 * A ts-proto service definition whose requests are decoded faithfully, or marked undecodable:
 * - a message that is not valid protobuf, or a uint64 above 2^53-1 (ts-proto's numbers: no revision
 *   is that large), becomes a marker requestChecksMiddleware refuses (INVALID_ARGUMENT, OUT_OF_RANGE);
 * - a `__proto__` key in a network's labels or aux addresses, which ts-proto's decoder drops without a
 *   word, is put back as an own property, so that the domain refuses it like any reserved key.
 */
export function guardDecoding<D extends { fullName: string; methods: Record<string, TsProtoMethod> }>(
  definition: D,
): D {
  const methods = Object.fromEntries(
    Object.entries(definition.methods).map(([key, method]) => {
      const { decode } = method.requestType;
      const guarded = (bytes: Uint8Array): unknown => {
        try {
          const request = decode(bytes);
          if (key === 'createNetwork') restoreProtoKeys(bytes, request as { network?: Network });
          return request;
        } catch (err) {
          return { [UNDECODABLE]: refusal(err) };
        }
      };
      return [key, { ...method, requestType: { ...method.requestType, decode: guarded } }];
    }),
  );
  return { ...definition, methods };
}

function refusal(err: unknown): DomainError {
  const why = err instanceof Error ? err.message : String(err);
  if (/MAX_SAFE_INTEGER/.test(why)) {
    return new OutOfRangeError(
      `request: a number above ${Number.MAX_SAFE_INTEGER} (2^53-1): no revision is that large`,
    );
  }
  return new InvalidSpecError(
    'request',
    `not a valid protobuf message for this method (${why.slice(0, 80)})`,
  );
}

/** CreateNetworkRequest field 1 is the network; in it, 10 the labels, 5 the subnets (4: aux addresses). */
function restoreProtoKeys(bytes: Uint8Array, request: { network?: Network }): void {
  if (!request.network || Buffer.from(bytes).indexOf(PROTO_KEY) < 0) return;
  const network = request.network;
  for (const networkBytes of fieldBytes(bytes, 1)) {
    for (const entry of fieldBytes(networkBytes, 10)) {
      const { key, value } = Network_LabelsEntry.decode(entry);
      if (key === PROTO_KEY) putOwn(network.labels, value);
    }
    fieldBytes(networkBytes, 5).forEach((subnetBytes, i) => {
      const subnet = network.subnets[i];
      for (const entry of fieldBytes(subnetBytes, 4)) {
        const { key, value } = Subnet_AuxAddressesEntry.decode(entry);
        if (key === PROTO_KEY && subnet) putOwn(subnet.auxAddresses, value);
      }
    });
  }
}

/** The contents of every occurrence of a length-delimited field, in order. */
function fieldBytes(bytes: Uint8Array, field: number): Uint8Array[] {
  const reader = new BinaryReader(bytes);
  const found: Uint8Array[] = [];
  while (reader.pos < reader.len) {
    const [number, type] = reader.tag();
    if (number === field && type === WireType.LengthDelimited) found.push(reader.bytes());
    else reader.skip(type, number);
  }
  return found;
}

function putOwn(map: Record<string, string>, value: string): void {
  Object.defineProperty(map, PROTO_KEY, { value, enumerable: true, writable: true, configurable: true });
}
