import { checkRequestText } from '../../agent/src/api/checkRequestText';
import { guardDecoding, UNDECODABLE } from '../../agent/src/api/guardDecoding';
import { InvalidSpecError, OutOfRangeError } from '../../agent/src/domain/errors';
import {
  AgentServiceDefinition,
  CreateNetworkRequest,
  WatchRequest,
} from '../../proto/gen/mvnet/v1/agent_service';
import { Spec } from '../../proto/gen/mvnet/v1/apply';
import { Endpoint, EndpointStatus } from '../../proto/gen/mvnet/v1/endpoint';
import { Network, NetworkStatus, Subnet } from '../../proto/gen/mvnet/v1/network';
import { lengthField, mapEntry } from '../support/protoWire';

/**
 * Every string field of a message set to the name the agent must give it in a refusal: a sample of
 * each request with every field present (a test below checks that against the generated code).
 */
function network(at: string) {
  return {
    name: `${at}.name`,
    parent: `${at}.parent`,
    vlanId: 0,
    mode: 0,
    subnets: [
      {
        cidr: `${at}.subnets[0].cidr`,
        gateway: `${at}.subnets[0].gateway`,
        ipRange: `${at}.subnets[0].ip_range`,
        auxAddresses: { nas: `${at}.subnets[0].aux_addresses[nas]` },
      },
    ],
    mtu: 0,
    internal: false,
    promiscuous: false,
    hostAccess: false,
    labels: { tier: `${at}.labels[tier]` },
    status: {
      state: 0,
      message: `${at}.status.message`,
      parentLink: `${at}.status.parent_link`,
      parentLinkOwned: false,
      revision: 0,
      endpointCount: 0,
      hostLink: `${at}.status.host_link`,
      hostAddresses: [`${at}.status.host_addresses[0]`],
    },
  };
}

function endpoint(at: string) {
  return {
    name: `${at}.name`,
    network: `${at}.network`,
    netns: `${at}.netns`,
    ifname: `${at}.ifname`,
    ipv4Address: `${at}.ipv4_address`,
    ipv6Address: `${at}.ipv6_address`,
    macAddress: `${at}.mac_address`,
    labels: { tier: `${at}.labels[tier]` },
    status: { state: 0, message: `${at}.status.message`, revision: 0 },
  };
}

const REQUESTS: Record<keyof typeof AgentServiceDefinition.methods, object> = {
  getHost: {},
  createNetwork: { network: network('network') },
  getNetwork: { name: 'name' },
  listNetworks: {},
  deleteNetwork: { name: 'name', force: false },
  createEndpoint: { endpoint: endpoint('endpoint') },
  getEndpoint: { network: 'network', name: 'name' },
  listEndpoints: { network: 'network' },
  deleteEndpoint: { network: 'network', name: 'name' },
  apply: {
    spec: { networks: [network('spec.networks[0]')], endpoints: [endpoint('spec.endpoints[0]')] },
    dryRun: false,
    expectedRevision: 0,
    confirmWithin: { seconds: 1, nanos: 0 },
    probeGateways: false,
  },
  confirmApply: { applyId: 'apply_id' },
  cancelApply: { applyId: 'apply_id' },
  watch: { sinceRevision: 0, kinds: [], network: 'network' },
};

/** Every path to a string in a plain object: [the path as property keys, its value]. */
function stringLeaves(value: unknown, at: (string | number)[] = []): [(string | number)[], string][] {
  if (typeof value === 'string') return [[at, value]];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) =>
    stringLeaves(v, [...at, Array.isArray(value) ? Number(k) : k]),
  );
}

function withLeaf(value: unknown, at: (string | number)[], leaf: string): unknown {
  if (at.length === 0) return leaf;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<
    string | number,
    unknown
  >;
  copy[at[0]] = withLeaf(copy[at[0]], at.slice(1), leaf);
  return copy;
}

function refusalOf(request: unknown): InvalidSpecError {
  try {
    checkRequestText(request);
  } catch (err) {
    return err as InvalidSpecError;
  }
  throw new Error('expected a refusal');
}

const CASES = Object.entries(REQUESTS).flatMap(([method, request]) =>
  stringLeaves(request).map(([at, field]) => [method, field, request, at] as const),
);

describe('every string field of every request: printable and bounded', () => {
  it('has a sample of every request with every field the generated code has', () => {
    const keysOf = (o: object) => Object.keys(o).sort();
    for (const [key, method] of Object.entries(AgentServiceDefinition.methods)) {
      const sample = REQUESTS[key as keyof typeof REQUESTS];
      expect(keysOf(sample)).toEqual(keysOf(method.requestType.fromPartial({})));
    }
    const n = network('n');
    expect(keysOf(n)).toEqual(keysOf(Network.fromPartial({})));
    expect(keysOf(n.subnets[0])).toEqual(keysOf(Subnet.fromPartial({})));
    expect(keysOf(n.status)).toEqual(keysOf(NetworkStatus.fromPartial({})));
    const e = endpoint('e');
    expect(keysOf(e)).toEqual(keysOf(Endpoint.fromPartial({})));
    expect(keysOf(e.status)).toEqual(keysOf(EndpointStatus.fromPartial({})));
    expect(keysOf(REQUESTS.apply as { spec: object }).length).toBe(5);
    expect(keysOf((REQUESTS.apply as { spec: object }).spec)).toEqual(keysOf(Spec.fromPartial({})));
    expect(CASES.length).toBeGreaterThan(40);
  });

  it.each(CASES)('%s refuses a NUL in %s, naming it', (_method, field, request, at) => {
    expect(() => checkRequestText(request)).not.toThrow();
    const err = refusalOf(withLeaf(request, [...at], `${field}\u0000`));
    expect(err).toBeInstanceOf(InvalidSpecError);
    expect(err.field).toBe(field);
    expect(err.message).toContain('U+0000');
  });

  it('refuses a control character in a map key, naming the key quoted', () => {
    const request = { network: { ...network('network'), labels: { 'a\u001bb': 'v' } } };
    expect(refusalOf(request).field).toBe('network.labels["a\\u001bb"]');
  });

  it('refuses a string over its byte bound, naming it', () => {
    const err = refusalOf({ network: 'x'.repeat(1025) });
    expect(err.field).toBe('network');
    expect(err.message).toContain('1025 bytes is too long');
  });
});

describe('guardDecoding', () => {
  const guarded = guardDecoding(AgentServiceDefinition);

  it('keeps a __proto__ label as an own key, so that it is refused like any reserved key', () => {
    const network = Network.encode(
      Network.fromPartial({
        name: 'n',
        labels: { a: '1' },
        subnets: [{ cidr: '10.0.0.0/24', gateway: '10.0.0.1', auxAddresses: { b: '10.0.0.2' } }],
      }),
    ).finish();
    const subnet = Subnet.encode(Subnet.fromPartial({ cidr: '10.1.0.0/24', gateway: '10.1.0.1' })).finish();
    const request = lengthField(
      1,
      Buffer.concat([
        network,
        mapEntry(10, '__proto__', 'x'),
        lengthField(5, Buffer.concat([subnet, mapEntry(4, '__proto__', '10.1.0.5')])),
      ]),
    );
    const decoded = guarded.methods.createNetwork.requestType.decode(request) as CreateNetworkRequest;
    expect(Object.keys(decoded.network!.labels)).toEqual(['a', '__proto__']);
    expect(Object.getOwnPropertyDescriptor(decoded.network!.labels, '__proto__')?.value).toBe('x');
    expect(Object.getPrototypeOf(decoded.network!.labels)).toBe(Object.prototype);
    expect(Object.keys(decoded.network!.subnets[0].auxAddresses)).toEqual(['b']);
    expect(Object.keys(decoded.network!.subnets[1].auxAddresses)).toEqual(['__proto__']);
    // Without the guard, ts-proto's decoder drops both without a word.
    const plain = CreateNetworkRequest.decode(request);
    expect(Object.keys(plain.network!.labels)).toEqual(['a']);
    expect(Object.keys(plain.network!.subnets[1].auxAddresses)).toEqual([]);
  });

  it('marks a request that is not protobuf, and a uint64 beyond 2^53-1, instead of failing inside grpc-js', () => {
    const garbage = guarded.methods.getNetwork.requestType.decode(Buffer.from([0x0a, 0x7f, 0x01])) as object;
    expect((garbage as Record<symbol, unknown>)[UNDECODABLE]).toBeInstanceOf(InvalidSpecError);
    const huge = WatchRequest.encode({ sinceRevision: 0, kinds: [], network: '' }).finish();
    const since = Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, ...huge]);
    const marked = guarded.methods.watch.requestType.decode(since) as unknown as Record<symbol, unknown>;
    expect(marked[UNDECODABLE]).toBeInstanceOf(OutOfRangeError);
    expect(String((marked[UNDECODABLE] as Error).message)).toContain('9007199254740991');
  });
});
