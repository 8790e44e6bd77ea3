import { ResourceKind } from '../../proto/gen/mvnet/v1/apply';
import { EndpointState } from '../../proto/gen/mvnet/v1/endpoint';
import { MacvlanMode, NetworkState, type Network } from '../../proto/gen/mvnet/v1/network';
import { EventType } from '../../proto/gen/mvnet/v1/watch';
import { CliUsageError } from '../../client/src/cli/CliUsageError';
import { retryNote, watchOptionsFromFlags } from '../../client/src/cli/watch';
import { watchEventJson, watchEventLine } from '../../client/src/cli/watchEventLine';
import { MvnetError } from '../../client/src/errors';
import type { WatchChange } from '../../client/src/watchEvents';

const network: Network = {
  name: 'mvnet',
  parent: 'eth0',
  vlanId: 0,
  mode: MacvlanMode.MACVLAN_MODE_BRIDGE,
  subnets: [{ cidr: '192.168.0.0/24', gateway: '192.168.0.1', ipRange: '', auxAddresses: {} }],
  mtu: 0,
  internal: false,
  promiscuous: false,
  hostAccess: false,
  labels: {},
  status: {
    state: NetworkState.NETWORK_STATE_DEGRADED,
    message: 'parent link eth0 is down',
    parentLink: 'eth0',
    parentLinkOwned: false,
    revision: 12,
    endpointCount: 2,
    hostLink: '',
    hostAddresses: [],
  },
};

function change(type: EventType, revision: number, object: WatchChange['object'], message = ''): WatchChange {
  return {
    relist: false,
    type,
    revision,
    object,
    message,
    time: { seconds: 1, nanos: 0 },
    revisionEnd: true,
  };
}

describe('mvnet watch lines', () => {
  it('shows a network with its parent, subnets, endpoints and state, with the reason of a bad state', () => {
    expect(
      watchEventLine(change(EventType.EVENT_TYPE_MODIFIED, 12, { $case: 'network', value: network })),
    ).toBe(
      '12      MODIFIED  network   mvnet                 parent=eth0 subnets=192.168.0.0/24 endpoints=2 state=degraded: parent link eth0 is down\n',
    );
  });

  it("shows an endpoint's addresses, and the agent's account of a drift after them", () => {
    const endpoint = {
      name: 'c1',
      network: 'mvnet',
      netns: 'c1',
      ifname: 'eth0',
      ipv4Address: '192.168.0.3',
      ipv6Address: '',
      macAddress: '02:42:c0:a8:00:03',
      labels: {},
      status: { state: EndpointState.ENDPOINT_STATE_READY, message: '', revision: 13 },
    };
    const drift = change(
      EventType.EVENT_TYPE_DRIFT,
      13,
      { $case: 'endpoint', value: endpoint },
      'link eth0 vanished from c1: re-attached',
    );
    expect(watchEventLine(drift)).toBe(
      '13      DRIFT     endpoint  mvnet/c1              ipv4=192.168.0.3 mac=02:42:c0:a8:00:03 netns=c1 state=ready; link eth0 vanished from c1: re-attached\n',
    );
  });

  it('names a deleted object only, and an internal network by its lack of parent', () => {
    const internal = { ...network, parent: '', internal: true };
    expect(
      watchEventLine(change(EventType.EVENT_TYPE_DELETED, 14, { $case: 'network', value: internal })),
    ).toBe('14      DELETED   network   mvnet\n');
    expect(
      watchEventLine(change(EventType.EVENT_TYPE_ADDED, 15, { $case: 'network', value: internal })),
    ).toMatch(/ parent=\(internal\) subnets=/);
  });

  it('prints the markers: SYNCED, BOOKMARK and the SDK relist', () => {
    expect(watchEventLine(change(EventType.EVENT_TYPE_SYNCED, 11, undefined))).toBe(
      '11      SYNCED    the current state is above; changes follow\n',
    );
    expect(watchEventLine(change(EventType.EVENT_TYPE_BOOKMARK, 11, undefined))).toBe('11      BOOKMARK\n');
    expect(watchEventLine({ relist: true, reason: 'revision 2 is too old' })).toBe(
      '-       RELIST    listing again: revision 2 is too old\n',
    );
  });

  it("prints JSON lines: the agent's event in proto3 JSON, the relist marker as an object of its own", () => {
    expect(JSON.parse(watchEventJson(change(EventType.EVENT_TYPE_SYNCED, 11, undefined)))).toEqual({
      revision: 11,
      type: 'EVENT_TYPE_SYNCED',
      time: '1970-01-01T00:00:01.000Z',
      revisionEnd: true,
    });
    expect(watchEventJson({ relist: true, reason: 'why' })).toBe('{"relist":true,"reason":"why"}\n');
  });

  it('notes a resume on stderr, with the reason and where it resumes', () => {
    const error = new MvnetError(
      14,
      'No connection established. Last error: null. Resolution note: ',
      'h1:7443',
    );
    expect(retryNote({ error, delayMs: 500, sinceRevision: 42 })).toBe(
      'Warning: watch: No connection established. Last error: null (UNAVAILABLE); resuming after revision 42 in 0.5 s\n',
    );
    expect(retryNote({ delayMs: 1000, sinceRevision: 0 })).toBe(
      'Warning: watch: the agent closed the stream; listing again in 1.0 s\n',
    );
  });
});

describe('mvnet watch flags', () => {
  it('turns --since, --kind (repeatable, once each) and --network into watch options', () => {
    expect(
      watchOptionsFromFlags({ since: '7', kind: ['endpoint', 'network', 'endpoint'], network: 'n1' }),
    ).toEqual({
      sinceRevision: 7,
      kinds: [ResourceKind.RESOURCE_KIND_ENDPOINT, ResourceKind.RESOURCE_KIND_NETWORK],
      network: 'n1',
    });
    expect(watchOptionsFromFlags({})).toEqual({ sinceRevision: 0, kinds: [], network: '' });
  });

  it.each([['-1'], ['1.5'], ['x'], ['99999999999999999999']])('refuses --since %s', (since) => {
    expect(() => watchOptionsFromFlags({ since })).toThrow(CliUsageError);
  });
});
