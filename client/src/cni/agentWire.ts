/**
 * The few AgentService messages the CNI plugin sends and reads, on the wire (protoWire.ts), with the
 * field numbers of proto/mvnet/v1: the requests whole, and of the answers the fields the plugin uses.
 * Neither the generated codecs nor @bufbuild/protobuf are loaded: see protoWire.ts for why.
 */
import { ProtoWriter, readFields, text } from './protoWire';

const SERVICE = '/mvnet.v1.AgentService';
export const Paths = {
  getNetwork: `${SERVICE}/GetNetwork`,
  createEndpoint: `${SERVICE}/CreateEndpoint`,
  getEndpoint: `${SERVICE}/GetEndpoint`,
  listEndpoints: `${SERVICE}/ListEndpoints`,
  deleteEndpoint: `${SERVICE}/DeleteEndpoint`,
  healthCheck: '/grpc.health.v1.Health/Check',
} as const;

const ERROR_INFO_TYPE = 'type.googleapis.com/google.rpc.ErrorInfo';

/** mvnet.v1.Endpoint, as the plugin writes and reads it. */
export interface Endpoint {
  name: string;
  network: string;
  netns: string;
  ifname: string;
  ipv4Address: string;
  ipv6Address: string;
  macAddress: string;
  labels: Record<string, string>;
  /** EndpointStatus: state (READY is 1) and message. */
  status?: { state: number; message: string };
}

/** mvnet.v1.Network, the fields the result needs. */
export interface Network {
  name: string;
  subnets: { cidr: string; gateway: string }[];
  mtu: number;
}

/** Strings as fields 1, 2...: GetNetworkRequest {name}, Get/DeleteEndpointRequest {network, name}, ListEndpointsRequest {network}, HealthCheckRequest {service}. */
export function encodeStrings(...fields: string[]): Uint8Array {
  const writer = new ProtoWriter();
  fields.forEach((value, i) => writer.string(i + 1, value));
  return writer.finish();
}

/** CreateEndpointRequest {endpoint = 1}: Endpoint's fields 1-7, and its labels (9) as map entries. */
export function encodeCreateEndpoint(e: Endpoint): Uint8Array {
  const endpoint = new ProtoWriter()
    .string(1, e.name)
    .string(2, e.network)
    .string(3, e.netns)
    .string(4, e.ifname)
    .string(5, e.ipv4Address)
    .string(6, e.ipv6Address)
    .string(7, e.macAddress);
  for (const [key, value] of Object.entries(e.labels))
    endpoint.message(9, new ProtoWriter().string(1, key).string(2, value));
  return new ProtoWriter().message(1, endpoint).finish();
}

function decodeEndpoint(bytes: Uint8Array): Endpoint {
  const e: Endpoint = {
    name: '',
    network: '',
    netns: '',
    ifname: '',
    ipv4Address: '',
    ipv6Address: '',
    macAddress: '',
    labels: {},
  };
  const strings = [
    '',
    'name',
    'network',
    'netns',
    'ifname',
    'ipv4Address',
    'ipv6Address',
    'macAddress',
  ] as const;
  readFields(bytes, (n, v) => {
    if (n >= 1 && n <= 7) e[strings[n] as Exclude<(typeof strings)[number], ''>] = text(v);
    else if (n === 8 && v.bytes) {
      const status = { state: 0, message: '' };
      readFields(v.bytes, (m, w) => {
        if (m === 1) status.state = w.varint ?? 0;
        else if (m === 2) status.message = text(w);
      });
      e.status = status;
    } else if (n === 9 && v.bytes) {
      let key = '';
      let value = '';
      readFields(v.bytes, (m, w) => {
        if (m === 1) key = text(w);
        else if (m === 2) value = text(w);
      });
      e.labels[key] = value;
    }
  });
  return e;
}

function decodeNetworkMessage(bytes: Uint8Array): Network {
  const network: Network = { name: '', subnets: [], mtu: 0 };
  readFields(bytes, (n, v) => {
    if (n === 1) network.name = text(v);
    else if (n === 6) network.mtu = v.varint ?? 0;
    else if (n === 5 && v.bytes) {
      const subnet = { cidr: '', gateway: '' };
      readFields(v.bytes, (m, w) => {
        if (m === 1) subnet.cidr = text(w);
        else if (m === 2) subnet.gateway = text(w);
      });
      network.subnets.push(subnet);
    }
  });
  return network;
}

/** The messages of field 1 of a response (GetNetworkResponse's network, *EndpointResponse's endpoint, ListEndpointsResponse's endpoints). */
function field1<T>(bytes: Uint8Array, decode: (bytes: Uint8Array) => T): T[] {
  const found: T[] = [];
  readFields(bytes, (n, v) => {
    if (n === 1 && v.bytes) found.push(decode(v.bytes));
  });
  return found;
}

export function decodeNetwork(bytes: Uint8Array): Network | undefined {
  return field1(bytes, decodeNetworkMessage)[0];
}

export function decodeEndpoints(bytes: Uint8Array): Endpoint[] {
  return field1(bytes, decodeEndpoint);
}

/** HealthCheckResponse {status = 1}: SERVING is 1. */
export function decodeServing(bytes: Uint8Array): boolean {
  let serving = false;
  readFields(bytes, (n, v) => {
    if (n === 1) serving = v.varint === 1;
  });
  return serving;
}

/**
 * The reason of the first google.rpc.ErrorInfo of `domain` in a google.rpc.Status {details = 3: Any
 * {type_url = 1, value = 2}}; ErrorInfo {reason = 1, domain = 2}. '' when there is none, or the bytes do
 * not decode: the status and message still tell what failed.
 */
export function decodeErrorReason(statusDetails: Uint8Array | undefined, domain: string): string {
  if (!statusDetails) return '';
  const infos: { reason: string; domain: string }[] = [];
  try {
    readFields(statusDetails, (n, v) => {
      if (n !== 3 || !v.bytes) return;
      let typeUrl = '';
      let value: Uint8Array | undefined;
      readFields(v.bytes, (m, w) => {
        if (m === 1) typeUrl = text(w);
        else if (m === 2) value = w.bytes;
      });
      if (typeUrl !== ERROR_INFO_TYPE || !value) return;
      const info = { reason: '', domain: '' };
      readFields(value, (m, w) => {
        if (m === 1) info.reason = text(w);
        else if (m === 2) info.domain = text(w);
      });
      infos.push(info);
    });
  } catch {
    return '';
  }
  return infos.find((info) => info.domain === domain)?.reason ?? '';
}
