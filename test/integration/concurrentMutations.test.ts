import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Status } from 'nice-grpc';
import {
  AgentClient,
  EventType,
  MvnetError,
  type Endpoint,
  type NetworkSpec,
  type WatchChange,
} from '../../client/src';
import { spawnAgent, type AgentProcess } from '../support/agentProcess';
import { ipIn, makeSwitchedHosts, type SwitchedHosts } from '../support/switchedHosts';

/**
 * 1,000 conflicting mutations at once from 10 clients (issue 11 §3): the same endpoint names, the same
 * addresses, the same containers, networks made and removed under them. Whatever the interleaving, the
 * outcome is that of some serial order: replaying the agent's event log, in revision order, no address
 * is ever held twice, every success a client heard is in the log at the revision it was told, every
 * refusal carries a code a serial run could give, and the kernel ends as the state says.
 */
const CLIENTS = 10;
const OPERATIONS = 1000;
const NAMES = ['a', 'b', 'c', 'd', 'e', 'f'];
const ADDRESSES = ['192.168.0.10', '192.168.0.11', '192.168.0.12', ''];
const NET: NetworkSpec = {
  name: 'race',
  parent: 'eth0',
  subnets: [{ cidr: '192.168.0.0/24', gateway: '192.168.0.1', ipRange: '192.168.0.8/29', auxAddresses: {} }],
};
const SIDE: NetworkSpec = {
  name: 'side',
  parent: 'eth0',
  subnets: [{ cidr: '192.168.7.0/24', gateway: '192.168.7.1', ipRange: '', auxAddresses: {} }],
};

/** The codes a serial run gives these mutations: taken names, taken addresses, busy endpoints, an empty pool... */
const EXPECTED_REFUSALS = new Set([
  Status.ALREADY_EXISTS,
  Status.FAILED_PRECONDITION,
  Status.ABORTED,
  Status.NOT_FOUND,
  Status.RESOURCE_EXHAUSTED,
]);

type Outcome = { op: string; revision?: number; endpoint?: Endpoint; code?: Status; details?: string };

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
}

describe('1,000 concurrent conflicting mutations from 10 clients', () => {
  let lab: SwitchedHosts;
  let dir: string;
  let agent: AgentProcess;
  let clients: AgentClient[];
  let containers: string[];

  beforeAll(async () => {
    lab = await makeSwitchedHosts('race', 1);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-race-'));
    agent = await spawnAgent({ stateDir: dir, netns: lab.hosts[0] });
    clients = Array.from({ length: CLIENTS }, () => new AgentClient({ host: agent.address }));
    containers = [];
    for (const name of NAMES) containers.push(await lab.container(`r${name}`));
    await clients[0].createNetwork(NET);
  });

  afterAll(async () => {
    for (const client of clients ?? []) client.close();
    await agent?.stop();
    await lab?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ends as some serial order would: no address twice, every client told the truth', async () => {
    const next = random(20261207);
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
    const run = async (op: string, call: () => Promise<Omit<Outcome, 'op'>>) => {
      try {
        return { op, ...(await call()) };
      } catch (err) {
        if (!(err instanceof MvnetError)) throw err;
        return { op, code: err.code, details: err.details };
      }
    };
    const operation = (client: AgentClient): Promise<Outcome> => {
      const name = pick(NAMES);
      const dice = next();
      if (dice < 0.55) {
        const spec = { network: 'race', name, netns: pick(containers), ipv4Address: pick(ADDRESSES) };
        return run(`create ${name} ${spec.netns} ${spec.ipv4Address}`, () => client.createEndpoint(spec));
      }
      if (dice < 0.9) return run(`delete ${name}`, () => client.deleteEndpoint('race', name));
      if (dice < 0.95) return run('create side', () => client.createNetwork(SIDE));
      return run('delete side', () => client.deleteNetwork('side'));
    };
    const outcomes = await Promise.all(
      Array.from({ length: OPERATIONS }, (_, i) => operation(clients[i % CLIENTS])),
    );

    for (const o of outcomes.filter((x) => x.code !== undefined)) {
      expect([o.op, EXPECTED_REFUSALS.has(o.code!)]).toEqual([o.op, true]);
      expect(o.details).not.toMatch(/internal error/);
    }
    const events = await eventLog(clients[0]);
    const byRevision = new Map(events.map((e) => [e.revision, e]));
    // Every endpoint a client was told it got is the one the log holds at that revision, or (a retry of
    // the same request) the one that already stood, unchanged.
    const held = replay(events);
    for (const o of outcomes.filter((x) => x.endpoint)) {
      const event = byRevision.get(o.revision!);
      if (event?.object?.$case === 'endpoint' && event.object.value.name === o.endpoint!.name) {
        expect(event.object.value.ipv4Address).toBe(o.endpoint!.ipv4Address);
      } else {
        expect(held.at(o.revision!, o.endpoint!.name)).toBe(o.endpoint!.ipv4Address);
      }
    }
    expect(outcomes.filter((o) => o.endpoint).length).toBeGreaterThan(10);
    // The kernel ends as the state says: each endpoint's link in its container, with its address.
    const { endpoints } = await clients[0].listEndpoints('race');
    expect(new Set(endpoints.map((e) => e.ipv4Address)).size).toBe(endpoints.length);
    for (const e of endpoints) {
      const marked = (
        JSON.parse(ipIn(e.netns, '-j', 'link', 'show')) as { ifname: string; ifalias?: string }[]
      ).find((l) => l.ifalias === `mvnet:race/${e.name}`);
      const addresses = marked
        ? (
            JSON.parse(ipIn(e.netns, '-j', 'addr', 'show', 'dev', marked.ifname)) as {
              addr_info: { local: string }[];
            }[]
          ).flatMap((l) => l.addr_info.map((a) => a.local))
        : [];
      expect([e.name, addresses]).toEqual([e.name, expect.arrayContaining([e.ipv4Address])]);
    }
    for (const ns of containers) {
      const marked = (JSON.parse(ipIn(ns, '-j', 'link', 'show')) as { ifalias?: string }[]).filter((l) =>
        l.ifalias?.startsWith('mvnet:'),
      );
      expect(marked.length).toBe(endpoints.filter((e) => e.netns === ns).length);
    }
  });
});

/** Every change the agent logged since it started, in revision order. */
async function eventLog(client: AgentClient): Promise<WatchChange[]> {
  const { revision } = await client.listNetworks();
  const abort = new AbortController();
  const events: WatchChange[] = [];
  for await (const event of client.watch({ sinceRevision: 1, signal: abort.signal })) {
    if (event.relist) throw new Error(`the log was compacted: ${event.reason}`);
    if (event.object) events.push(event);
    if (event.revision >= revision) abort.abort();
  }
  return events;
}

/**
 * Replays endpoint events in revision order, checking that no address is ever held by two endpoints at
 * once; answers which address an endpoint held right after a revision.
 */
function replay(events: WatchChange[]): { at(revision: number, name: string): string | undefined } {
  const holders = new Map<string, string>(); // address → endpoint
  const addresses = new Map<string, string>(); // endpoint → address
  const history: { revision: number; name: string; address?: string }[] = [];
  const release = (name: string) => {
    const address = addresses.get(name);
    if (address) holders.delete(address);
    addresses.delete(name);
  };
  for (const event of events) {
    const deleted = event.type === EventType.EVENT_TYPE_DELETED;
    if (event.object?.$case === 'network' && deleted && event.object.value.name === 'race') {
      for (const name of [...addresses.keys()]) {
        release(name);
        history.push({ revision: event.revision, name });
      }
      continue;
    }
    if (event.object?.$case !== 'endpoint') continue;
    const { name, ipv4Address } = event.object.value;
    release(name);
    if (event.type !== EventType.EVENT_TYPE_DELETED) {
      const holder = holders.get(ipv4Address);
      expect([event.revision, ipv4Address, holder]).toEqual([event.revision, ipv4Address, undefined]);
      holders.set(ipv4Address, name);
      addresses.set(name, ipv4Address);
    }
    history.push({ revision: event.revision, name, address: addresses.get(name) });
  }
  return {
    at: (revision, name) => history.filter((h) => h.name === name && h.revision <= revision).at(-1)?.address,
  };
}
