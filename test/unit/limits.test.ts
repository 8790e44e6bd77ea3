import { normalizeEndpointInput } from '../../agent/src/domain/normalizeEndpoint';
import { normalizeNetworkSpec } from '../../agent/src/domain/normalizeNetwork';
import {
  MAX_AUX_ADDRESSES_PER_NETWORK,
  MAX_AUX_NAME_LENGTH,
  MAX_ENDPOINT_LABELS_BYTES,
  MAX_ENDPOINTS_PER_HOST,
  MAX_MESSAGE_BYTES,
  MAX_PLAN_REASON_CHARS,
  MAX_NETWORKS_PER_HOST,
  MAX_STATUS_MESSAGE_CHARS,
  MAX_SUBNETS_PER_NETWORK,
} from '../../agent/src/domain/limits';
import {
  ApplyRequest,
  ApplyResponse,
  ListEndpointsResponse,
  ListNetworksResponse,
} from '../../proto/gen/mvnet/v1/agent_service';
import { PlanAction, ResourceKind } from '../../proto/gen/mvnet/v1/apply';
import { EndpointState, type Endpoint } from '../../proto/gen/mvnet/v1/endpoint';
import { MacvlanMode, NetworkState, type Network } from '../../proto/gen/mvnet/v1/network';
import { bulkyLabels } from '../support/bulkyLabels';

/** The longest IPv6 texts: a /120 prefix of 8 full groups, and a full address. */
const LONG_V6 = 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00';
const hex = (n: number) => n.toString(16).padStart(4, '0');

/** The largest network the bounds allow, every field at its longest, with its status. */
function largestNetwork(): Network {
  const subnets = Array.from({ length: MAX_SUBNETS_PER_NETWORK }, (_, i) => {
    // Every group four digits long: the longest canonical text an address has.
    const at = (n: number) => `ffff:ffff:ffff:ffff:ffff:ffff:ffff:${hex((i + 1) * 0x1000 + n)}`;
    const aux: Record<string, string> = {};
    const auxHere = i < 2 ? MAX_AUX_ADDRESSES_PER_NETWORK / 2 : 0;
    for (let a = 0; a < auxHere; a++) aux[`${'a'.repeat(MAX_AUX_NAME_LENGTH - 4)}${hex(a)}`] = at(0x10 + a);
    return { cidr: `${at(0)}/120`, gateway: at(0xfe), ipRange: `${at(0x80)}/121`, auxAddresses: aux };
  });
  const spec = normalizeNetworkSpec({
    name: `n${'x'.repeat(63)}`,
    parent: 'enp0s31f6.4094',
    vlanId: 0,
    mode: 'passthru',
    subnets,
    mtu: 65535,
    internal: false,
    promiscuous: true,
    hostAccess: true,
    labels: bulkyLabels(),
  });
  return {
    ...spec,
    mode: MacvlanMode.MACVLAN_MODE_PASSTHRU,
    status: {
      state: NetworkState.NETWORK_STATE_DEGRADED,
      message: 'm'.repeat(MAX_STATUS_MESSAGE_CHARS),
      parentLink: 'enp0s31f6.4094',
      parentLinkOwned: true,
      revision: Number.MAX_SAFE_INTEGER,
      endpointCount: MAX_ENDPOINTS_PER_HOST,
      hostLink: 'mvs-0123456789a',
      hostAddresses: spec.subnets.map(() => LONG_V6),
    },
  };
}

/** Endpoint labels of MAX_ENDPOINT_LABELS_BYTES, keys and values together. */
function endpointLabels(): Record<string, string> {
  const labels: Record<string, string> = {};
  for (let i = 0; i < MAX_ENDPOINT_LABELS_BYTES / 64; i++) labels[`k${hex(i)}`] = 'v'.repeat(59);
  return labels;
}

/** The largest endpoint: longest names, netns path, addresses and status message. */
function largestEndpoint(): Endpoint {
  const request = normalizeEndpointInput({
    name: `e${'x'.repeat(63)}`,
    network: `n${'x'.repeat(63)}`,
    netns: `/var/run/netns/${'c'.repeat(255)}`,
    ifname: 'eth123456789012',
    ipv4Address: '255.255.255.254',
    ipv6Address: LONG_V6,
    macAddress: '02:42:c0:a8:00:03',
    labels: endpointLabels(),
  });
  const { netnsRef: _ref, ...spec } = request;
  return {
    ...spec,
    status: {
      state: EndpointState.ENDPOINT_STATE_FAILED,
      message: 'm'.repeat(MAX_STATUS_MESSAGE_CHARS),
      revision: Number.MAX_SAFE_INTEGER,
    },
  };
}

describe('the bounds hang together', () => {
  it(`fit a full ListNetworks (${MAX_NETWORKS_PER_HOST} of the largest networks) in one message`, () => {
    const network = largestNetwork();
    const size = ListNetworksResponse.encode({
      networks: Array.from({ length: MAX_NETWORKS_PER_HOST }, () => network),
      revision: Number.MAX_SAFE_INTEGER,
    }).finish().length;
    expect(size).toBeLessThan(MAX_MESSAGE_BYTES);
  });

  it(`fit a full ListEndpoints (${MAX_ENDPOINTS_PER_HOST} of the largest endpoints) in one message`, () => {
    const endpoint = largestEndpoint();
    const size = ListEndpointsResponse.encode({
      endpoints: Array.from({ length: MAX_ENDPOINTS_PER_HOST }, () => endpoint),
      revision: Number.MAX_SAFE_INTEGER,
    }).finish().length;
    expect(size).toBeLessThan(MAX_MESSAGE_BYTES);
  });

  it('fit an Apply of a whole host at these counts, and its plan, in one message each', () => {
    const network = { ...largestNetwork(), status: undefined };
    const endpoint = { ...largestEndpoint(), status: undefined };
    const request = ApplyRequest.encode({
      spec: {
        networks: Array.from({ length: MAX_NETWORKS_PER_HOST }, () => network),
        endpoints: Array.from({ length: MAX_ENDPOINTS_PER_HOST }, () => endpoint),
      },
      dryRun: true,
      expectedRevision: Number.MAX_SAFE_INTEGER,
      confirmWithin: { seconds: 3600, nanos: 999_999_999 },
      probeGateways: true,
    }).finish().length;
    expect(request).toBeLessThan(MAX_MESSAGE_BYTES);
    const step = {
      action: PlanAction.PLAN_ACTION_REPLACE,
      kind: ResourceKind.RESOURCE_KIND_ENDPOINT,
      name: endpoint.name,
      network: endpoint.network,
      reason: 'r'.repeat(MAX_PLAN_REASON_CHARS),
    };
    const plan = ApplyResponse.encode({
      plan: Array.from({ length: MAX_NETWORKS_PER_HOST * 2 + MAX_ENDPOINTS_PER_HOST * 2 }, () => step),
      revision: Number.MAX_SAFE_INTEGER,
      applyId: '0123456789abcdef',
    }).finish().length;
    expect(plan).toBeLessThan(MAX_MESSAGE_BYTES);
  });
});
