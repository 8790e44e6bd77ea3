/**
 * The few AgentService messages the CNI plugin sends and reads, on the wire. The Endpoint and Network
 * messages are the generated ones (proto/gen, ts-proto: light modules); the requests and responses
 * around them are a field or two each, written here so that the plugin does not load agent_service.ts
 * and, through it, every other message of the API (about 15 ms of a process start).
 */
import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import { Endpoint } from '../../../proto/gen/mvnet/v1/endpoint';
import { Network } from '../../../proto/gen/mvnet/v1/network';

export type { Endpoint } from '../../../proto/gen/mvnet/v1/endpoint';
export type { Network } from '../../../proto/gen/mvnet/v1/network';

const SERVICE = '/mvnet.v1.AgentService';
export const Paths = {
  getNetwork: `${SERVICE}/GetNetwork`,
  createEndpoint: `${SERVICE}/CreateEndpoint`,
  getEndpoint: `${SERVICE}/GetEndpoint`,
  listEndpoints: `${SERVICE}/ListEndpoints`,
  deleteEndpoint: `${SERVICE}/DeleteEndpoint`,
  healthCheck: '/grpc.health.v1.Health/Check',
} as const;

/** Strings as fields 1, 2...: GetNetworkRequest {name}, Get/DeleteEndpointRequest {network, name}, ListEndpointsRequest {network}, HealthCheckRequest {service}. */
export function encodeStrings(...fields: string[]): Uint8Array {
  const writer = new BinaryWriter();
  fields.forEach((value, i) => {
    if (value !== '') writer.uint32(((i + 1) << 3) | 2).string(value);
  });
  return writer.finish();
}

/** CreateEndpointRequest {endpoint = 1}. */
export function encodeCreateEndpoint(endpoint: Endpoint): Uint8Array {
  const writer = new BinaryWriter();
  Endpoint.encode(endpoint, writer.uint32(10).fork()).join();
  return writer.finish();
}

/** The messages of field 1 of a response (GetNetworkResponse's network, *EndpointResponse's endpoint, ListEndpointsResponse's endpoints). */
function field1<T>(bytes: Uint8Array, decode: (reader: BinaryReader, length: number) => T): T[] {
  const reader = new BinaryReader(bytes);
  const found: T[] = [];
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag === 10) found.push(decode(reader, reader.uint32()));
    else reader.skip(tag & 7);
  }
  return found;
}

export function decodeNetwork(bytes: Uint8Array): Network | undefined {
  return field1(bytes, (r, n) => Network.decode(r, n))[0];
}

export function decodeEndpoints(bytes: Uint8Array): Endpoint[] {
  return field1(bytes, (r, n) => Endpoint.decode(r, n));
}

/** HealthCheckResponse {status = 1}: SERVING is 1. */
export function decodeServing(bytes: Uint8Array): boolean {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag === 8) return reader.int32() === 1;
    reader.skip(tag & 7);
  }
  return false;
}
