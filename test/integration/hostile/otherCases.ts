/**
 * Hostile requests to the RPCs other than the creations: reads, deletions, Watch, Apply. A read that
 * is refused or a deletion of what is not there changes nothing either.
 */
import { ResourceKind } from '../../../client/src';
import { ApplyRequest } from '../../../proto/gen/mvnet/v1/agent_service';
import { callCase, Status, type HostileCase } from './hostileCase';

const long = 'x'.repeat(5000);

/** Reads the first event of a watch, then ends it: a refused watch rejects. */
async function firstWatchEvent(client: Parameters<HostileCase['call']>[0]['client'], options: object) {
  const abort = new AbortController();
  try {
    for await (const event of client.watch({ ...options, signal: abort.signal, retryDelayMs: 10_000 }))
      return event;
  } finally {
    abort.abort();
  }
  return undefined;
}

const ID = '0123456789abcdef';
const NET = { name: 'n1', parent: 'eth0', subnets: [{ cidr: '10.30.0.0/24', gateway: '10.30.0.1' }] };

/** An Apply of `spec` (and more of the request): every one below is refused, so nothing changes. */
function applyCase(title: string, request: object, code: Status, names: RegExp): HostileCase {
  const call: HostileCase['call'] = (h) =>
    h.raw.apply(ApplyRequest.fromPartial({ spec: { networks: [NET] }, ...request }));
  return { title: `Apply ${title}`, call, code, names };
}

function applyCases(): HostileCase[] {
  const endpoint = { name: 'a1', network: 'n1', netns: 'x' };
  return [
    applyCase(
      'with confirm_within under 1 s',
      { confirmWithin: { seconds: 0, nanos: 500_000_000 } },
      Status.INVALID_ARGUMENT,
      /^confirm_within: 0.5 s is out of range/,
    ),
    applyCase(
      'with confirm_within over 1 h',
      { confirmWithin: { seconds: 3601 } },
      Status.INVALID_ARGUMENT,
      /^confirm_within: 3601 s is out of range/,
    ),
    applyCase(
      'with confirm_within of mixed signs',
      { confirmWithin: { seconds: 5, nanos: -1 } },
      Status.INVALID_ARGUMENT,
      /^confirm_within: not a valid duration/,
    ),
    applyCase(
      'with confirm_within of 2^40 seconds',
      { confirmWithin: { seconds: 2 ** 40 } },
      Status.INVALID_ARGUMENT,
      /^confirm_within: 1099511627776 s is out of range/,
    ),
    applyCase(
      'at a revision far ahead',
      { expectedRevision: Number.MAX_SAFE_INTEGER },
      Status.ABORTED,
      /expected_revision 9007199254740991 is not the host's revision/,
    ),
    applyCase(
      'of two networks of one name',
      { spec: { networks: [NET, NET] } },
      Status.INVALID_ARGUMENT,
      /spec\.networks\[1\]\.name: /,
    ),
    applyCase(
      'of a network named with a NUL',
      { spec: { networks: [{ ...NET, name: 'n\u0000' }] } },
      Status.INVALID_ARGUMENT,
      /spec\.networks\[0\]\.name/,
    ),
    applyCase(
      'of 5,000 networks',
      { spec: { networks: Array.from({ length: 5000 }, (_, i) => ({ ...NET, name: `n${i}` })) } },
      Status.INVALID_ARGUMENT,
      /^1 problem in the spec: spec\.networks: 5000 networks is too many/,
    ),
    applyCase(
      'of an endpoint on a network not in the spec',
      { spec: { networks: [NET], endpoints: [{ ...endpoint, network: 'base' }] } },
      Status.INVALID_ARGUMENT,
      /spec\.endpoints\[0\]\.network: /,
    ),
    applyCase(
      'of an endpoint with a netns path outside /run/netns',
      { spec: { networks: [NET], endpoints: [{ ...endpoint, netns: '/etc/passwd' }] } },
      Status.INVALID_ARGUMENT,
      /spec\.endpoints\[0\]\.netns: /,
    ),
    applyCase(
      "of an endpoint labelled as another manager's",
      { spec: { networks: [NET], endpoints: [{ ...endpoint, labels: { 'mvnet.io/managed-by': 'cni' } }] } },
      Status.INVALID_ARGUMENT,
      /spec\.endpoints\[0\]\.labels/,
    ),
    applyCase(
      'of an endpoint with 600 bytes of labels',
      { spec: { networks: [NET], endpoints: [{ ...endpoint, labels: { k: 'v'.repeat(600) } }] } },
      Status.INVALID_ARGUMENT,
      /spec\.endpoints\[0\]\.labels/,
    ),
    {
      title: 'ConfirmApply of an id that is no apply id',
      call: (h) => h.raw.confirmApply({ applyId: 'a1' }),
      code: Status.INVALID_ARGUMENT,
      names: /^apply_id: not an apply id/,
    },
    {
      title: 'ConfirmApply of an id this host never gave',
      call: (h) => h.raw.confirmApply({ applyId: ID }),
      code: Status.NOT_FOUND,
      names: new RegExp(`apply ${ID} is not pending`),
    },
    {
      title: 'CancelApply of an id this host never gave',
      call: (h) => h.raw.cancelApply({ applyId: ID }),
      code: Status.NOT_FOUND,
      names: new RegExp(`apply ${ID} is not pending`),
    },
    {
      title: 'CancelApply of 2 KiB of hex digits',
      call: (h) => h.raw.cancelApply({ applyId: 'a'.repeat(2048) }),
      code: Status.INVALID_ARGUMENT,
      names: /^apply_id: /,
    },
  ];
}

export const OTHER_CASES: HostileCase[] = [
  callCase(
    'GetNetwork of a network that does not exist',
    (c) => c.getNetwork('nope'),
    Status.NOT_FOUND,
    /network nope not found/,
  ),
  callCase(
    'GetNetwork named with a NUL',
    (c) => c.getNetwork('a\u0000'),
    Status.INVALID_ARGUMENT,
    /^name: .*U\+0000/,
  ),
  callCase(
    'GetNetwork of 5,000 characters',
    (c) => c.getNetwork(long),
    Status.INVALID_ARGUMENT,
    /^name: 5000 bytes is too long/,
  ),
  callCase(
    'DeleteNetwork of a network that does not exist',
    (c) => c.deleteNetwork('nope'),
    Status.NOT_FOUND,
    /network nope not found/,
  ),
  callCase(
    'DeleteNetwork forced, of a network that does not exist',
    (c) => c.deleteNetwork('nope', { force: true }),
    Status.NOT_FOUND,
    /network nope not found/,
  ),
  callCase(
    'GetNetwork with no name',
    (c) => c.getNetwork(''),
    Status.INVALID_ARGUMENT,
    /^name: a name is required/,
  ),
  callCase(
    'DeleteNetwork with no name',
    (c) => c.deleteNetwork(''),
    Status.INVALID_ARGUMENT,
    /^name: a name is required/,
  ),
  callCase(
    'DeleteNetwork named with a newline',
    (c) => c.deleteNetwork('base\n'),
    Status.INVALID_ARGUMENT,
    /^name: /,
  ),
  callCase(
    'GetEndpoint of 2,000 characters',
    (c) => c.getEndpoint('base', long.slice(0, 2000)),
    Status.INVALID_ARGUMENT,
    /^name: /,
  ),
  callCase(
    'ListEndpoints of a network named with a NUL',
    (c) => c.listEndpoints('\u0000'),
    Status.INVALID_ARGUMENT,
    /^network: /,
  ),
  callCase(
    'DeleteEndpoint named with a NUL',
    (c) => c.deleteEndpoint('base', 'e\u0000'),
    Status.INVALID_ARGUMENT,
    /^name: /,
  ),
  callCase(
    'Watch from a revision ahead of the host',
    async (_c, h) => {
      // The raw client: the SDK answers OUT_OF_RANGE by listing again, as a watcher should.
      for await (const event of h.raw.watch({ sinceRevision: 1_000_000, kinds: [], network: '' }))
        return event;
      return undefined;
    },
    Status.OUT_OF_RANGE,
    /1000000/,
  ),
  callCase(
    'Watch of a network named with an escape sequence',
    (c) => firstWatchEvent(c, { network: '\u001b[2J' }),
    Status.INVALID_ARGUMENT,
    /^network: /,
  ),
  callCase(
    'Watch of four kinds',
    (c) => firstWatchEvent(c, { kinds: [1, 2, 3, 1] as ResourceKind[] }),
    Status.INVALID_ARGUMENT,
    /^kinds/,
  ),
  callCase(
    'DeleteNetwork of a network with endpoints, unforced',
    (c) => c.deleteNetwork('base'),
    Status.FAILED_PRECONDITION,
    /network base has 1 endpoint\(s\)/,
  ),
  callCase(
    'GetEndpoint on a network that does not exist',
    (c) => c.getEndpoint('nope', 'e1'),
    Status.NOT_FOUND,
    /endpoint e1 not found on network nope/,
  ),
  callCase(
    'GetEndpoint that does not exist',
    (c) => c.getEndpoint('base', 'nope'),
    Status.NOT_FOUND,
    /endpoint nope not found on network base/,
  ),
  callCase(
    'GetEndpoint named with control characters',
    (c) => c.getEndpoint('base', '\u001b[2J'),
    Status.INVALID_ARGUMENT,
    /^name: .*U\+001B/,
  ),
  callCase(
    'ListEndpoints of a network that does not exist',
    (c) => c.listEndpoints('nope'),
    Status.NOT_FOUND,
    /network nope not found/,
  ),
  callCase(
    'Watch of an unknown kind of object',
    (c) => firstWatchEvent(c, { kinds: [99 as ResourceKind] }),
    Status.INVALID_ARGUMENT,
    /^kinds\[0\]: /,
  ),
  ...applyCases(),
  callCase(
    'ConfirmApply of an id made of NULs',
    (_c, h) => h.raw.confirmApply({ applyId: '\u0000'.repeat(10) }),
    Status.INVALID_ARGUMENT,
    /^apply_id: /,
  ),
  callCase(
    'DeleteEndpoint that does not exist (a success that changes nothing)',
    (c) => c.deleteEndpoint('base', 'nope'),
    Status.OK,
    /^/,
  ),
  callCase(
    'DeleteEndpoint on a network that does not exist (a success that changes nothing)',
    (c) => c.deleteEndpoint('nope', 'e1'),
    Status.OK,
    /^/,
  ),
];
