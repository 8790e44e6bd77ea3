/**
 * Hostile requests to the RPCs other than the creations: reads, deletions, Watch, Apply. A read that
 * is refused or a deletion of what is not there changes nothing either.
 */
import { ResourceKind } from '../../../client/src';
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
  callCase(
    'Apply, which this agent does not do yet',
    (_c, h) => h.raw.apply({ spec: { networks: [], endpoints: [] } }),
    Status.UNIMPLEMENTED,
    /Apply is not implemented/,
  ),
  callCase(
    'ConfirmApply, which this agent does not do yet',
    (_c, h) => h.raw.confirmApply({ applyId: 'a1' }),
    Status.UNIMPLEMENTED,
    /ConfirmApply is not implemented/,
  ),
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
