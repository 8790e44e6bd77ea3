/**
 * The CNI plugin's own protobuf codec (client/src/cni/protoWire.ts, agentWire.ts) against the generated
 * ts-proto codecs of the same messages: what it writes, the agent reads as written, and what the agent
 * writes, it reads, field for field.
 */
import {
  CreateEndpointRequest,
  DeleteEndpointRequest,
  GetNetworkRequest,
  GetNetworkResponse,
  ListEndpointsResponse,
} from '../../proto/gen/mvnet/v1/agent_service';
import {
  HealthCheckResponse,
  HealthCheckResponse_ServingStatus,
} from '../../proto/gen/grpc/health/v1/health';
import { Endpoint, EndpointState } from '../../proto/gen/mvnet/v1/endpoint';
import { MacvlanMode, Network, NetworkState } from '../../proto/gen/mvnet/v1/network';
import { BadRequest, ErrorInfo } from '../../proto/gen/google/rpc/error_details';
import { Status as RpcStatus } from '../../proto/gen/google/rpc/status';
import {
  decodeEndpoints,
  decodeErrorReason,
  decodeNetwork,
  decodeServing,
  encodeCreateEndpoint,
  encodeStrings,
} from '../../client/src/cni/agentWire';
import { readFields } from '../../client/src/cni/protoWire';

const endpoint = {
  name: 'cni-0123456789abcdef0123',
  network: 'macvlan10',
  netns: '/var/run/netns/cni-1f2e',
  ifname: 'net1',
  ipv4Address: '192.168.10.7',
  ipv6Address: 'fd00::7',
  macAddress: '02:42:c0:a8:0a:07',
  labels: {
    'mvnet.io/managed-by': 'cni',
    'cni.mvnet.io/container-id': 'f'.repeat(64),
    'cni.mvnet.io/network': 'ünï',
  },
};

describe("the CNI plugin's protobuf codec", () => {
  it('writes a CreateEndpointRequest the generated codec reads field for field', () => {
    const decoded = CreateEndpointRequest.decode(encodeCreateEndpoint(endpoint));
    expect(decoded.endpoint).toEqual(Endpoint.fromPartial(endpoint));
  });

  it('writes the one- and two-string requests as the generated codec does', () => {
    expect(Buffer.from(encodeStrings('macvlan10'))).toEqual(
      Buffer.from(GetNetworkRequest.encode({ name: 'macvlan10' }).finish()),
    );
    expect(Buffer.from(encodeStrings('n', 'cni-1'))).toEqual(
      Buffer.from(DeleteEndpointRequest.encode({ network: 'n', name: 'cni-1' }).finish()),
    );
    expect(encodeStrings('')).toHaveLength(0);
  });

  it('reads endpoints, with their status and labels, as the agent writes them', () => {
    const full = Endpoint.fromPartial({
      ...endpoint,
      status: { state: EndpointState.ENDPOINT_STATE_LOST, message: 'the netns is gone', revision: 2 ** 40 },
    });
    const bytes = ListEndpointsResponse.encode({
      endpoints: [full, Endpoint.fromPartial({ name: 'b' })],
      revision: 99,
    }).finish();
    const [a, b] = decodeEndpoints(bytes);
    expect(a).toEqual({
      ...endpoint,
      status: { state: EndpointState.ENDPOINT_STATE_LOST, message: 'the netns is gone' },
    });
    expect(b).toMatchObject({ name: 'b', labels: {} });
    expect(b.status).toBeUndefined();
  });

  it('reads a network: its subnets, gateways and MTU, skipping the rest', () => {
    const network = Network.fromPartial({
      name: 'macvlan10',
      parent: 'eth0.10',
      vlanId: 10,
      mode: MacvlanMode.MACVLAN_MODE_PASSTHRU,
      mtu: 9000,
      internal: true,
      labels: { a: 'b' },
      subnets: [
        {
          cidr: '192.168.10.0/24',
          gateway: '192.168.10.1',
          ipRange: '192.168.10.128/25',
          auxAddresses: { r: '192.168.10.2' },
        },
        { cidr: 'fd00::/64', gateway: 'fd00::1', ipRange: '', auxAddresses: {} },
      ],
      status: {
        state: NetworkState.NETWORK_STATE_READY,
        revision: 7,
        endpointCount: 3,
        hostAddresses: ['x'],
      },
    });
    expect(decodeNetwork(GetNetworkResponse.encode({ network, revision: 8 }).finish())).toEqual({
      name: 'macvlan10',
      mtu: 9000,
      subnets: [
        { cidr: '192.168.10.0/24', gateway: '192.168.10.1' },
        { cidr: 'fd00::/64', gateway: 'fd00::1' },
      ],
    });
  });

  it('reads the health status', () => {
    const serving = HealthCheckResponse.encode({
      status: HealthCheckResponse_ServingStatus.SERVING,
    }).finish();
    const not = HealthCheckResponse.encode({
      status: HealthCheckResponse_ServingStatus.NOT_SERVING,
    }).finish();
    expect([decodeServing(serving), decodeServing(not), decodeServing(new Uint8Array())]).toEqual([
      true,
      false,
      false,
    ]);
  });

  it('refuses a truncated message rather than reading past it', () => {
    const bytes = encodeCreateEndpoint(endpoint);
    expect(() => decodeEndpoints(bytes.subarray(0, bytes.length - 3))).toThrow('truncated');
    expect(() => readFields(Uint8Array.from([0x0a, 0x05, 0x61]), () => undefined)).toThrow('truncated');
    expect(() =>
      readFields(
        Uint8Array.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
        () => undefined,
      ),
    ).toThrow('malformed');
  });

  it("reads the reason of the agent's ErrorInfo from a google.rpc.Status, of its domain only", () => {
    const info = (reason: string, domain: string) => ({
      typeUrl: 'type.googleapis.com/google.rpc.ErrorInfo',
      value: Buffer.from(
        ErrorInfo.encode({ reason, domain, metadata: { apply_id: 'a'.repeat(16) } }).finish(),
      ),
    });
    const badRequest = {
      typeUrl: 'type.googleapis.com/google.rpc.BadRequest',
      value: Buffer.from(BadRequest.encode({ fieldViolations: [{ field: 'f', description: 'd' }] }).finish()),
    };
    const status = (...details: { typeUrl: string; value: Buffer }[]) =>
      RpcStatus.encode({ code: 9, message: 'refused', details }).finish();
    const ours = info('APPLY_AWAITS_CONFIRMATION', 'mvnet.io');
    expect(decodeErrorReason(status(badRequest, ours), 'mvnet.io')).toBe('APPLY_AWAITS_CONFIRMATION');
    expect(decodeErrorReason(status(info('OTHER', 'example.com'), ours), 'mvnet.io')).toBe(
      'APPLY_AWAITS_CONFIRMATION',
    );
    // None: no trailer, no ErrorInfo, another domain's, or bytes that do not decode.
    expect(decodeErrorReason(undefined, 'mvnet.io')).toBe('');
    expect(decodeErrorReason(status(badRequest), 'mvnet.io')).toBe('');
    expect(decodeErrorReason(status(info('APPLY_AWAITS_CONFIRMATION', 'example.com')), 'mvnet.io')).toBe('');
    expect(decodeErrorReason(Uint8Array.from([0x1a, 0x7f, 0x01]), 'mvnet.io')).toBe('');
  });
});
