import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createChannel, createClient, Status, type Channel, type Client } from 'nice-grpc';
import pino from 'pino';
import { startAgent, type AgentOptions, type RunningAgent } from '../../agent/src/startAgent';
import { MemoryDriver } from '../../agent/src/kernel/memory/MemoryDriver';
import {
  AgentServiceDefinition,
  type WatchRequest,
  type WatchResponse,
} from '../../proto/gen/mvnet/v1/agent_service';
import { ResourceKind } from '../../proto/gen/mvnet/v1/apply';
import { EventType } from '../../proto/gen/mvnet/v1/watch';
import { addNetns, deleteNetns } from '../../tools/netns';
import { spawnAgent } from '../support/agentProcess';
import { bulkyLabels } from '../support/bulkyLabels';
import { makeNetnsHost } from '../support/netnsHost';
import { uniqueNetnsName } from '../support/netnsPrefix';
import { ipIn } from '../support/switchedHosts';

type AgentClient = Client<typeof AgentServiceDefinition>;

function network(n: number, labels: Record<string, string> = {}) {
  return {
    name: `n${n}`,
    parent: 'eth0',
    subnets: [
      {
        cidr: `10.${n >> 8}.${n & 255}.0/24`,
        gateway: `10.${n >> 8}.${n & 255}.1`,
        ipRange: '',
        auxAddresses: {},
      },
    ],
    labels,
  };
}

function describeEvent(e: WatchResponse): string {
  const name = e.object && 'name' in e.object.value ? e.object.value.name : '';
  return `${e.revision} ${EventType[e.type].replace('EVENT_TYPE_', '')}${name ? ` ${name}` : ''}`;
}

/** describeEvent, then `end` on the last event of its revision. */
function describeWithEnd(e: WatchResponse): string {
  return `${describeEvent(e)}${e.revisionEnd ? ' end' : ''}`;
}

/** Reads a watch stream until `done` says it has enough, then cancels it. */
async function collect(
  client: AgentClient,
  request: Partial<WatchRequest>,
  done: (events: WatchResponse[]) => boolean,
  withBookmarks = false,
): Promise<WatchResponse[]> {
  const controller = new AbortController();
  const events: WatchResponse[] = [];
  const deadline = setTimeout(() => controller.abort(), 15_000);
  try {
    for await (const event of client.watch(request, { signal: controller.signal })) {
      if (event.type !== EventType.EVENT_TYPE_BOOKMARK || withBookmarks) events.push(event);
      if (done(events)) break;
    }
  } catch (err) {
    if (!controller.signal.aborted) throw err;
    throw new Error(`watch timed out with ${events.map(describeEvent).join(', ')}`);
  } finally {
    clearTimeout(deadline);
    controller.abort();
  }
  return events;
}

describe('Watch', () => {
  let dir: string;
  let agent: RunningAgent;
  let channel: Channel;
  let client: AgentClient;

  async function start(options: Partial<AgentOptions> = {}): Promise<void> {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-watch-'));
    agent = await startAgent({
      listen: '127.0.0.1:0',
      stateDir: dir,
      logger: pino({ level: 'silent' }),
      driver: new MemoryDriver({ links: [{ name: 'eth0', mtu: 1500 }] }),
      ...options,
    });
    channel = createChannel(agent.address);
    client = createClient(AgentServiceDefinition, channel);
  }

  afterEach(async () => {
    channel?.close();
    await agent?.close(100);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends the current state as ADDED, then SYNCED, then live changes', async () => {
    await start();
    await client.createNetwork({ network: network(1) });
    await client.createNetwork({ network: network(2) });
    const watching = collect(client, {}, (e) => e.length === 5);
    await new Promise((r) => setTimeout(r, 200));
    await client.deleteNetwork({ name: 'n1' });
    await client.createNetwork({ network: network(3) });
    expect((await watching).map(describeEvent)).toEqual([
      '1 ADDED n1',
      '2 ADDED n2',
      '2 SYNCED',
      '3 DELETED n1',
      '4 ADDED n3',
    ]);
  });

  it('replays every change after a revision from the log, then goes live', async () => {
    await start();
    for (const n of [1, 2, 3]) await client.createNetwork({ network: network(n) });
    await client.deleteNetwork({ name: 'n2' });
    const watching = collect(client, { sinceRevision: 1 }, (e) => e.length === 4);
    await new Promise((r) => setTimeout(r, 200));
    await client.createNetwork({ network: network(4) });
    expect((await watching).map(describeEvent)).toEqual([
      '2 ADDED n2',
      '3 ADDED n3',
      '4 DELETED n2',
      '5 ADDED n4',
    ]);
  });

  it('answers OUT_OF_RANGE, naming the oldest revision kept, once the log is compacted', async () => {
    await start({ eventRetention: 5 });
    for (let n = 1; n <= 10; n++) await client.createNetwork({ network: network(n) });
    const err = await collect(client, { sinceRevision: 2 }, () => true).catch(
      (e: unknown) => e as { code: Status; details: string },
    );
    expect(err).toMatchObject({ code: Status.OUT_OF_RANGE });
    expect((err as { details: string }).details).toContain('the oldest retained is 6');
    expect(
      (await collect(client, { sinceRevision: 5 }, (e) => e.length === 5)).map((e) => e.revision),
    ).toEqual([6, 7, 8, 9, 10]);
  });

  it('filters by kind and by network', async () => {
    await start();
    await client.createNetwork({ network: network(1) });
    await client.createNetwork({ network: network(2) });
    const onlyN2 = await collect(client, { network: 'n2' }, (e) =>
      e.some((x) => x.type === EventType.EVENT_TYPE_SYNCED),
    );
    expect(onlyN2.map(describeEvent)).toEqual(['2 ADDED n2', '2 SYNCED']);
    const endpointsOnly = await collect(client, { kinds: [ResourceKind.RESOURCE_KIND_ENDPOINT] }, (e) =>
      e.some((x) => x.type === EventType.EVENT_TYPE_SYNCED),
    );
    expect(endpointsOnly.map(describeEvent)).toEqual(['2 SYNCED']);
  });

  it('sends BOOKMARKs with the current revision on a quiet stream', async () => {
    await start({ bookmarkIntervalMs: 100 });
    await client.createNetwork({ network: network(1) });
    const events = await collect(client, { sinceRevision: 1 }, (e) => e.length === 2, true);
    expect(events.map(describeEvent)).toEqual(['1 BOOKMARK', '1 BOOKMARK']);
  });

  it('ends a watcher too slow to keep up with RESOURCE_EXHAUSTED, while 50 fast ones get everything', async () => {
    await start({ watchQueueCapacity: 20 });
    const slowController = new AbortController();
    const slowStream = client.watch({ sinceRevision: 0 }, { signal: slowController.signal });
    const slow = slowStream[Symbol.asyncIterator]();
    await slow.next(); // SYNCED at 0: the stream is open; it is not read again until the end.
    const changes = (events: WatchResponse[]) =>
      events.filter((x) => x.type === EventType.EVENT_TYPE_ADDED || x.type === EventType.EVENT_TYPE_DELETED);
    const fast = Array.from({ length: 50 }, () =>
      collect(client, { sinceRevision: 0 }, (e) => changes(e).length === 300),
    );
    await new Promise((r) => setTimeout(r, 300));
    // 300 big events (a host keeps at most 128 networks: each is created and deleted again).
    const bulky = bulkyLabels();
    for (let n = 1; n <= 150; n++) {
      await client.createNetwork({ network: network(n, bulky) });
      await client.deleteNetwork({ name: `n${n}` });
    }
    for (const events of await Promise.all(fast)) {
      expect(changes(events).map((e) => e.revision)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    }
    let ended: unknown;
    try {
      for (let r = await slow.next(); !r.done; r = await slow.next());
    } catch (err) {
      ended = err;
    }
    slowController.abort();
    expect(ended).toMatchObject({ code: Status.RESOURCE_EXHAUSTED });
    expect((ended as { details: string }).details).toMatch(/resume with since_revision=\d+/);
  }, 60_000);
});

describe('Watch across an agent killed and restarted', () => {
  it('resumes from the last revision seen with exactly the changes made in between', async () => {
    const host = await makeNetnsHost('watch');
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-watchk-'));
    let agent = await spawnAgent({ stateDir, netns: host.ns });
    try {
      let channel = createChannel(agent.address);
      let client: AgentClient = createClient(AgentServiceDefinition, channel);
      await client.createNetwork({ network: network(1) });
      const seen = await collect(client, {}, (e) => e.some((x) => x.type === EventType.EVENT_TYPE_SYNCED));
      const last = seen[seen.length - 1].revision;
      channel.close();
      await agent.kill();
      agent = await spawnAgent({ stateDir, netns: host.ns });
      channel = createChannel(agent.address);
      client = createClient(AgentServiceDefinition, channel);
      await client.createNetwork({ network: network(2) });
      await client.deleteNetwork({ name: 'n1' });
      const missed = await collect(client, { sinceRevision: last }, (e) => e.length === 2);
      expect(missed.map(describeEvent)).toEqual([`${last + 1} ADDED n2`, `${last + 2} DELETED n1`]);
      channel.close();
    } finally {
      await agent.stop();
      await host.cleanup();
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

describe('DeleteNetwork with force on this kernel', () => {
  it('logs the network and its 3 endpoints as one revision of 4 events, the last marked revision_end', async () => {
    const host = await makeNetnsHost('force');
    const containers = ['c1', 'c2', 'c3'].map((tag) => uniqueNetnsName(tag));
    for (const ns of containers) await addNetns(ns);
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-force-'));
    const agent = await spawnAgent({ stateDir, netns: host.ns, extra: ['--bookmark-interval', '100'] });
    const channel = createChannel(agent.address);
    const controller = new AbortController();
    try {
      const client: AgentClient = createClient(AgentServiceDefinition, channel);
      await client.createNetwork({ network: network(1) });
      for (const [i, netns] of containers.entries()) {
        await client.createEndpoint({ endpoint: { network: 'n1', name: `c${i + 1}`, netns } });
      }
      for (const ns of containers) expect(ipIn(ns, '-j', 'link', 'show')).toContain('"eth0"');
      const before = (await client.listNetworks({})).revision;
      // A live watcher: its first BOOKMARK says it is past the (empty) replay, waiting for changes.
      const stream = client.watch({ sinceRevision: before }, { signal: controller.signal });
      const live = stream[Symbol.asyncIterator]();
      expect((await live.next()).value).toMatchObject({
        type: EventType.EVENT_TYPE_BOOKMARK,
        revision: before,
      });

      const { revision } = await client.deleteNetwork({ name: 'n1', force: true });
      expect(revision).toBe(before + 1);
      const whole = [`${revision} DELETED c1`, `${revision} DELETED c2`, `${revision} DELETED c3`];
      const liveEvents: WatchResponse[] = [];
      while (liveEvents.length < 4) {
        const { value } = await live.next();
        if (value.type !== EventType.EVENT_TYPE_BOOKMARK) liveEvents.push(value);
      }
      expect(liveEvents.map(describeWithEnd)).toEqual([...whole, `${revision} DELETED n1 end`]);
      const replayed = await collect(client, { sinceRevision: before }, (e) => e.length === 4);
      expect(replayed.map(describeWithEnd)).toEqual([...whole, `${revision} DELETED n1 end`]);
      // A filter that drops the network's event moves the mark to the last event it keeps.
      const endpointsOnly = await collect(
        client,
        { sinceRevision: before, kinds: [ResourceKind.RESOURCE_KIND_ENDPOINT] },
        (e) => e.length === 3,
      );
      expect(endpointsOnly.map(describeWithEnd)).toEqual([...whole.slice(0, 2), `${whole[2]} end`]);

      for (const ns of containers) expect(ipIn(ns, '-j', 'link', 'show')).not.toContain('"eth0"');
      expect((await client.createNetwork({ network: network(2) })).revision).toBe(revision + 1);
    } finally {
      controller.abort();
      channel.close();
      await agent.stop();
      for (const ns of containers) await deleteNetns(ns);
      await host.cleanup();
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
