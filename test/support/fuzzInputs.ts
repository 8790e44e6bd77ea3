/**
 * Inputs for fuzzing the agent's RPCs: a corpus of valid requests per method, random strings that go
 * for the edges (control characters, NUL, long, unicode, paths), and mutations of encoded messages
 * (bit flips, cuts, insertions, repeats). Everything is drawn from one seeded generator, so a failure
 * can be replayed with its seed.
 */
import { AgentServiceDefinition } from '../../client/src';

/** A small deterministic generator (an LCG): the same seed, the same cases. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x100000000;
  };
}

export type Random = () => number;

const pick = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)];
const int = (random: Random, max: number) => Math.floor(random() * max);

const EDGE_STRINGS = [
  '',
  'a',
  'eth0',
  'eth0.10',
  'eth1.0010',
  'macvlan10',
  '192.168.10.0/24',
  '192.168.10.1',
  '0.0.0.0/0',
  '::/0',
  'fd00::1',
  '/var/run/netns/x',
  '/proc/1/ns/net',
  'pid:1',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  '\u0000',
  'a\nb',
  '\u001b[31m',
  'é',
  '\ud83d\ude00',
  'x'.repeat(70),
  'x'.repeat(5000),
];

/** A string an attacker might send: an edge case, or random code points of any kind. */
export function randomString(random: Random): string {
  if (random() < 0.6) return pick(random, EDGE_STRINGS);
  const length = int(random, random() < 0.9 ? 40 : 400);
  return String.fromCodePoint(
    ...Array.from({ length }, () => (random() < 0.7 ? 32 + int(random, 95) : int(random, 0x10000) & 0xd7ff)),
  );
}

/** Numbers every uint32 field takes; values beyond come from the mutations of the encoding. */
const NUMBERS = [0, 1, 9, 10, 68, 1280, 4094, 4095, 65535, 65536, 2 ** 31 - 1, 2 ** 32 - 1];

/** A request of each method, valid, with `s` for every string and `n` for every number. */
function corpus(s: () => string, n: () => number): Record<string, unknown> {
  const subnet = () => ({ cidr: s(), gateway: s(), ipRange: s(), auxAddresses: { [s()]: s() } });
  const network = () => ({
    name: s(),
    parent: s(),
    vlanId: n(),
    mode: n() % 6,
    subnets: [subnet(), subnet()],
    mtu: n(),
    internal: n() % 2 === 0,
    promiscuous: n() % 2 === 1,
    hostAccess: n() % 3 === 0,
    labels: { [s()]: s() },
  });
  const endpoint = () => ({
    name: s(),
    network: s(),
    netns: s(),
    ifname: s(),
    ipv4Address: s(),
    ipv6Address: s(),
    macAddress: s(),
  });
  return {
    getHost: {},
    createNetwork: { network: network() },
    getNetwork: { name: s() },
    listNetworks: {},
    deleteNetwork: { name: s(), force: n() % 2 === 0 },
    createEndpoint: { endpoint: endpoint() },
    getEndpoint: { network: s(), name: s() },
    listEndpoints: { network: s() },
    deleteEndpoint: { network: s(), name: s() },
    apply: { spec: { networks: [network()], endpoints: [endpoint()] }, dryRun: n() % 2 === 0 },
    confirmApply: { applyId: s() },
    watch: { sinceRevision: Math.abs(n()), kinds: [n() % 5], network: s() },
  };
}

/** The methods of AgentService: grpc path, whether it streams, and how to encode a request of it. */
export const METHODS = Object.entries(AgentServiceDefinition.methods).map(([key, m]) => ({
  key,
  path: `/${AgentServiceDefinition.fullName}/${m.name}`,
  streams: m.responseStream,
  encode: (object: unknown) =>
    Buffer.from(
      (m.requestType as { encode(o: unknown): { finish(): Uint8Array }; fromPartial(o: unknown): unknown })
        .encode((m.requestType as { fromPartial(o: unknown): unknown }).fromPartial(object))
        .finish(),
    ),
}));

/** A request for a method: well formed with hostile values, or its encoding mutated, or bytes. */
export function fuzzRequest(
  random: Random,
  method: (typeof METHODS)[number],
): { kind: string; bytes: Buffer } {
  const values = corpus(
    () => randomString(random),
    () => pick(random, NUMBERS),
  )[method.key];
  const dice = random();
  if (dice < 0.45) return { kind: 'hostile values', bytes: method.encode(values ?? {}) };
  if (dice < 0.85) return { kind: 'mutated encoding', bytes: mutate(random, method.encode(values ?? {})) };
  return {
    kind: 'random bytes',
    bytes: Buffer.from(Array.from({ length: int(random, 600) }, () => int(random, 256))),
  };
}

/** A few random mutations of an encoded message. */
export function mutate(random: Random, input: Buffer): Buffer {
  let bytes = Buffer.from(input);
  for (let i = 1 + int(random, 4); i > 0; i--) {
    const at = int(random, bytes.length + 1);
    const dice = random();
    if (dice < 0.3 && bytes.length > 0) bytes[Math.min(at, bytes.length - 1)] ^= 1 << int(random, 8);
    else if (dice < 0.5) bytes = bytes.subarray(0, at);
    else if (dice < 0.75)
      bytes = Buffer.concat([
        bytes.subarray(0, at),
        Buffer.from([int(random, 256), 0xff, 0x7f]),
        bytes.subarray(at),
      ]);
    else bytes = Buffer.concat([bytes, bytes.subarray(at)]);
  }
  return bytes;
}
