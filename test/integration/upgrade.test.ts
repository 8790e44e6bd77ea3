/**
 * Upgrades keep state: the agent of commit 435a4d9 (the last before this wave of issues, state format
 * 4) is built from this repository's history into a temporary directory and run on a throwaway netns
 * host, where it makes two networks, endpoints with automatic and
 * explicit addresses and MACs, and deletes one. Then today's agent starts on its state dir, across every
 * migration since: every network, lease, MAC, event and the revision are there, the kernel's links are
 * untouched (the endpoints adopted, one MODIFIED event each), the old file is kept as state.db.pre-vN, and the old agent runs again on that copy
 * (the rollback). A state of a newer format than today's is refused without a change.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createChannel, createClient, type Channel, type Client } from 'nice-grpc';
import { STATE_FORMAT } from '../../agent/src/store/stateFormat';
import { AgentServiceDefinition, type WatchResponse } from '../../proto/gen/mvnet/v1/agent_service';
import { EventType } from '../../proto/gen/mvnet/v1/watch';
import { buildAgentAt, type BuiltAgent } from '../support/agentAtCommit';
import { spawnAgent, type AgentProcess } from '../support/agentProcess';
import { ipIn, makeSwitchedHosts, type SwitchedHosts } from '../support/switchedHosts';

/** The last commit before the issues of this wave: its agent writes state format 4. */
const OLD_COMMIT = '435a4d9';
const OLD_FORMAT = 4;

const formatOf = (file: string) => {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
};

describe(`an agent upgraded from ${OLD_COMMIT} keeps its state`, () => {
  let old: BuiltAgent;
  let lab: SwitchedHosts;
  let dir: string;
  let stateDir: string;
  const containers: string[] = [];
  const running: { agent: AgentProcess; channel: Channel }[] = [];

  beforeAll(async () => {
    old = buildAgentAt(OLD_COMMIT);
    lab = await makeSwitchedHosts('upg', 1);
    // A second parent for a second network (a veth: this kernel has neither dummy nor 8021q, which the lab's have).
    ipIn(lab.hosts[0], 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth1p');
    ipIn(lab.hosts[0], 'link', 'set', 'eth1', 'up');
    for (const tag of ['u1', 'u2', 'u3', 'u4', 'u5']) containers.push(await lab.container(tag));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-upgrade-'));
    stateDir = path.join(dir, 'state');
  }, 600_000);

  afterEach(async () => {
    for (const { agent, channel } of running.splice(0)) {
      channel.close();
      await agent.stop();
    }
  });

  afterAll(async () => {
    await lab?.cleanup();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    old?.cleanup();
  });

  async function start(
    main?: string,
  ): Promise<{ agent: AgentProcess; client: Client<typeof AgentServiceDefinition> }> {
    const agent = await spawnAgent({ stateDir, netns: lab.hosts[0], main });
    const channel = createChannel(agent.address);
    running.push({ agent, channel });
    return { agent, client: createClient(AgentServiceDefinition, channel) };
  }

  async function stopAll(): Promise<void> {
    for (const { agent, channel } of running.splice(0)) {
      channel.close();
      expect(await agent.stop()).toBe(0);
    }
  }

  /** What a client sees of the host: networks, endpoints, the revision. */
  async function seen(client: Client<typeof AgentServiceDefinition>) {
    const networks = (await client.listNetworks({})).networks.map((n) => ({
      name: n.name,
      parent: n.parent,
      vlanId: n.vlanId,
      subnets: n.subnets,
      state: n.status?.state,
      revision: n.status?.revision,
    }));
    const endpoints = (await client.listEndpoints({ network: '' })).endpoints.map((e) => ({
      network: e.network,
      name: e.name,
      netns: e.netns,
      ipv4Address: e.ipv4Address,
      macAddress: e.macAddress,
      state: e.status?.state,
      revision: e.status?.revision,
    }));
    const { revision } = await client.getHost({});
    return { networks, endpoints, revision };
  }

  /** Every event the log replays after revision 0, as (revision, type, name). */
  async function replay(client: Client<typeof AgentServiceDefinition>, until: number) {
    const events: [number, number, string][] = [];
    const watching = new AbortController();
    try {
      for await (const e of client.watch(
        { sinceRevision: 1 },
        { signal: watching.signal },
      ) as AsyncIterable<WatchResponse>) {
        const name = e.object?.value && 'name' in e.object.value ? e.object.value.name : '';
        events.push([e.revision, e.type, name]);
        if (e.revision >= until) break;
      }
    } finally {
      watching.abort();
    }
    return events;
  }

  it(`serves today what the agent of ${OLD_COMMIT} made, across every migration since, keeping the old file`, async () => {
    const before = await start(old.main);
    const { client } = before;
    const subnet = (cidr: string, gateway: string) => ({ cidr, gateway, ipRange: '', auxAddresses: {} });
    await client.createNetwork({
      network: { name: 'lan', parent: 'eth0', subnets: [subnet('192.168.0.0/24', '192.168.0.1')] },
    });
    await client.createNetwork({
      network: { name: 'lan2', parent: 'eth1', subnets: [subnet('10.10.0.0/24', '10.10.0.1')] },
    });
    const [c1, c2, c3, c4, c5] = containers;
    await client.createEndpoint({ endpoint: { network: 'lan', netns: c1, name: 'c1' } });
    await client.createEndpoint({
      endpoint: {
        network: 'lan',
        netns: c2,
        name: 'c2',
        ipv4Address: '192.168.0.50',
        macAddress: '02:42:c0:a8:00:32',
      },
    });
    await client.createEndpoint({ endpoint: { network: 'lan2', netns: c3, name: 'c3' } });
    await client.createEndpoint({ endpoint: { network: 'lan', netns: c4, name: 'c4' } });
    await client.deleteEndpoint({ network: 'lan', name: 'c4' });
    const made = await seen(client);
    const events = await replay(client, made.revision);
    const kernelC1 = JSON.parse(ipIn(c1, '-j', 'addr', 'show', 'eth0'))[0];
    await stopAll();
    expect(formatOf(path.join(stateDir, 'state.db'))).toBe(OLD_FORMAT);
    expect(made.endpoints.map((e) => e.name)).toEqual(['c1', 'c2', 'c3']);

    const after = await start();
    const migrated = after.agent.logs.find((l) => String(l.msg).startsWith('state migrated'));
    const copy = path.join(stateDir, `state.db.pre-v${STATE_FORMAT}`);
    expect(migrated).toMatchObject({ from: OLD_FORMAT, to: STATE_FORMAT, copy });
    // Everything is there; today's agent also adopts each endpoint at its first start (it records the
    // identity of the container's netns, which the old agent did not), one MODIFIED event each.
    const now = await seen(after.client);
    const withoutRevisions = (view: typeof made) => ({
      ...view,
      revision: 0,
      endpoints: view.endpoints.map((e) => ({ ...e, revision: 0 })),
    });
    expect(withoutRevisions(now)).toEqual(withoutRevisions(made));
    expect(now.revision).toBe(made.revision + made.endpoints.length);
    const replayed = await replay(after.client, now.revision);
    expect(replayed.slice(0, events.length)).toEqual(events);
    expect(
      replayed
        .slice(events.length)
        .map(([, type, name]) => [type, name])
        .sort(),
    ).toEqual(made.endpoints.map((e) => [EventType.EVENT_TYPE_MODIFIED, e.name]));
    // The kernel's side was restored as it was: same link, same MAC, same address.
    const nowC1 = JSON.parse(ipIn(c1, '-j', 'addr', 'show', 'eth0'))[0];
    expect([nowC1.address, nowC1.addr_info]).toEqual([kernelC1.address, kernelC1.addr_info]);
    // Leases survived: a new endpoint gets none of the old addresses; revisions go on from the old one.
    const { endpoint, revision } = await after.client.createEndpoint({
      endpoint: { network: 'lan', netns: c5, name: 'c5' },
    });
    const taken = made.endpoints.map((e) => e.ipv4Address);
    expect(taken).not.toContain(endpoint!.ipv4Address);
    expect(revision).toBe(now.revision + 1);
    await stopAll();
    expect(formatOf(path.join(stateDir, 'state.db'))).toBe(STATE_FORMAT);
    expect(formatOf(copy)).toBe(OLD_FORMAT);
    expect(fs.statSync(copy).mode & 0o777).toBe(0o600);

    // Rollback: the old agent runs again on the copy, and serves the state as it left it.
    fs.rmSync(path.join(stateDir, 'state.db-wal'), { force: true });
    fs.rmSync(path.join(stateDir, 'state.db-shm'), { force: true });
    fs.copyFileSync(copy, path.join(stateDir, 'state.db'));
    const rolledBack = await start(old.main);
    expect(await seen(rolledBack.client)).toEqual(made);
  }, 120_000);

  it('refuses a state of a newer format, naming the copy to roll back to, and changes nothing', () => {
    const newer = path.join(dir, 'newer');
    fs.mkdirSync(newer, { mode: 0o700 });
    const file = path.join(newer, 'state.db');
    fs.copyFileSync(path.join(stateDir, 'state.db'), file);
    fs.copyFileSync(file, path.join(newer, `state.db.pre-v${STATE_FORMAT + 1}`));
    const db = new Database(file);
    db.pragma(`user_version = ${STATE_FORMAT + 1}`);
    db.close();
    const digest = () => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    const before = { digest: digest(), files: fs.readdirSync(newer).sort() };
    const r = spawnSync(
      process.execPath,
      [path.join(__dirname, '../../dist/agent/src/main.js'), '--listen', '127.0.0.1:0', '--state-dir', newer],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`is state format v${STATE_FORMAT + 1}, written by a newer mvnet-agent`);
    expect(r.stderr).toContain(
      `roll the state back to the copy it kept before upgrading it, ${newer}/state.db.pre-v${STATE_FORMAT + 1}`,
    );
    expect({ digest: digest(), files: fs.readdirSync(newer).sort() }).toEqual(before);
  });
});
