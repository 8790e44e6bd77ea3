import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Status } from 'nice-grpc';
import pino from 'pino';
import { startAgent, type AgentOptions, type RunningAgent } from '../../agent/src/startAgent';
import { MemoryDriver } from '../../agent/src/kernel/memory/MemoryDriver';
import { AgentClient, EventType, MvnetError, type WatchEvent, type WatchOptions } from '../../client/src';
import type { WatchRetry } from '../../client/src/watchEvents';
import { bulkyLabels } from '../support/bulkyLabels';

const DEADLINE_MS = 30_000;

/** `3 ADDED network n1`, `5 SYNCED`, `RELIST`: an event in a few words. */
function summary(event: WatchEvent): string {
  if (event.relist) return 'RELIST';
  const type = EventType[event.type].replace('EVENT_TYPE_', '');
  const object = event.object;
  if (object?.$case === 'network') return `${event.revision} ${type} network ${object.value.name}`;
  if (object?.$case === 'endpoint')
    return `${event.revision} ${type} endpoint ${object.value.network}/${object.value.name}`;
  return `${event.revision} ${type}`;
}

/** A watch consumed in the background: what it yielded, and the retries it reported. */
class Watcher {
  readonly events: WatchEvent[] = [];
  readonly retries: WatchRetry[] = [];
  private error: unknown;
  private readonly controller = new AbortController();
  private readonly done: Promise<void>;

  constructor(client: AgentClient, options: WatchOptions = {}) {
    const watch = client.watch({
      retryDelayMs: 100,
      ...options,
      signal: this.controller.signal,
      onRetry: (retry) => this.retries.push(retry),
    });
    this.done = (async () => {
      try {
        for await (const event of watch) this.events.push(event);
      } catch (err) {
        this.error = err;
      }
    })();
  }

  /** The events but bookmarks, summarized. */
  get summaries(): string[] {
    return this.events.filter((e) => e.relist || e.type !== EventType.EVENT_TYPE_BOOKMARK).map(summary);
  }

  /** Waits until `check` holds; fails at once if the watch failed. Never a speed check. */
  async until(what: string, check: (w: Watcher) => boolean): Promise<void> {
    const deadline = Date.now() + DEADLINE_MS;
    while (!check(this)) {
      if (this.error) throw this.error;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}: ${this.summaries.join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Waits for an event of this revision (bookmarks aside). */
  untilRevision(revision: number): Promise<void> {
    return this.until(`revision ${revision}`, (w) =>
      w.events.some((e) => !e.relist && e.type !== EventType.EVENT_TYPE_BOOKMARK && e.revision >= revision),
    );
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.done;
    if (this.error) throw this.error;
  }
}

/** The revisions of the changes after the last SYNCED (bookmarks aside). */
function changeRevisions(events: WatchEvent[]): { synced: number; changes: number[] } {
  const isSynced = (e: WatchEvent) => !e.relist && e.type === EventType.EVENT_TYPE_SYNCED;
  const syncedAt = events.length - 1 - [...events].reverse().findIndex(isSynced);
  const synced = events[syncedAt];
  if (synced === undefined || synced.relist) throw new Error('no SYNCED event');
  const changes = events
    .slice(syncedAt + 1)
    .filter((e) => e.relist || e.type !== EventType.EVENT_TYPE_BOOKMARK)
    .map((e) => (e.relist ? -1 : e.revision));
  return { synced: synced.revision, changes };
}

/**
 * Calls `call` until the agent answers: grpc-js shares one connection per address between channels,
 * and fails calls at once while it waits to reconnect to an agent that went away (creating the same
 * network again is a safe retry).
 */
async function whenReachable<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof MvnetError && err.code === Status.UNAVAILABLE) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function networkSpec(n: number, labels: Record<string, string> = {}) {
  return {
    name: `n${n}`,
    parent: 'eth0',
    subnets: [{ cidr: `10.0.${n}.0/24`, gateway: `10.0.${n}.1`, ipRange: '', auxAddresses: {} }],
    labels,
  };
}

describe('AgentClient.watch against a running agent', () => {
  let stateDir: string;
  let driver: MemoryDriver;
  const agents: RunningAgent[] = [];
  const clients: AgentClient[] = [];
  const watchers: Watcher[] = [];

  /** Starts an agent on the test's state dir and kernel (a restart, when one ran before). */
  async function start(
    options: Partial<AgentOptions> = {},
  ): Promise<{ agent: RunningAgent; client: AgentClient }> {
    const agent = await startAgent({
      listen: '127.0.0.1:0',
      stateDir,
      logger: pino({ level: 'silent' }),
      driver,
      checkIntervalMs: 0,
      ...options,
    });
    agents.push(agent);
    const client = new AgentClient({ host: agent.address });
    clients.push(client);
    return { agent, client };
  }

  function watch(client: AgentClient, options: WatchOptions = {}): Watcher {
    const watcher = new Watcher(client, options);
    watchers.push(watcher);
    return watcher;
  }

  beforeEach(() => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-sdkwatch-'));
    driver = new MemoryDriver({ links: [{ name: 'eth0', mtu: 1500 }] });
    for (const name of ['c1', 'c2']) driver.addNetnsBehindBack({ name });
  });

  afterEach(async () => {
    await Promise.all(watchers.splice(0).map((w) => w.stop().catch(() => undefined)));
    for (const client of clients.splice(0)) client.close();
    for (const agent of agents.splice(0)) await agent.close(100).catch(() => undefined);
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('lists the current state as ADDED, then SYNCED, then follows live changes', async () => {
    const { client } = await start();
    await client.createNetwork(networkSpec(1));
    const { revision } = await client.createEndpoint({ network: 'n1', netns: 'c1', ipv4Address: '10.0.1.3' });
    const watcher = watch(client);
    await watcher.until('SYNCED', (w) => w.summaries.some((s) => s.endsWith('SYNCED')));
    expect(watcher.summaries).toEqual(['1 ADDED network n1', '2 ADDED endpoint n1/c1', `${revision} SYNCED`]);

    await client.createEndpoint({ network: 'n1', netns: 'c2' });
    const { revision: last } = await client.deleteEndpoint('n1', 'c1');
    await watcher.untilRevision(last);
    expect(watcher.summaries.slice(3)).toEqual([
      `${revision + 1} ADDED endpoint n1/c2`,
      `${revision + 2} DELETED endpoint n1/c1`,
    ]);
    const added = watcher.events[3];
    expect(added).toMatchObject({
      relist: false,
      object: { $case: 'endpoint', value: { ipv4Address: '10.0.1.2' } },
    });
    expect(watcher.retries).toEqual([]);
  });

  it('resumes across an agent restart with exactly the changes committed while it was down', async () => {
    const first = await start({ bookmarkIntervalMs: 200 });
    const port = first.agent.address.split(':')[1];
    await first.client.createNetwork(networkSpec(1));
    const watcher = watch(first.client);
    await watcher.until('SYNCED', (w) => w.summaries.some((s) => s.endsWith('SYNCED')));
    const { revision: beforeRestart } = await first.client.createNetwork(networkSpec(2));
    await watcher.untilRevision(beforeRestart);

    await first.agent.close(100);
    await watcher.until('a retry', (w) => w.retries.length > 0);
    // Changes made while the watched address is down: by an agent on the same state, elsewhere.
    const meanwhile = await start({ bookmarkIntervalMs: 200 });
    await meanwhile.client.createNetwork(networkSpec(3));
    await meanwhile.client.deleteNetwork('n1');
    await meanwhile.client.createNetwork(networkSpec(4));
    await meanwhile.agent.close(100);

    const back = await start({ listen: `127.0.0.1:${port}`, bookmarkIntervalMs: 200 });
    const { revision: final } = await whenReachable(() => back.client.createNetwork(networkSpec(5)));
    await watcher.untilRevision(final);

    const { synced, changes } = changeRevisions(watcher.events);
    expect(changes).toEqual(range(synced + 1, final));
    expect(watcher.summaries).toEqual([
      '1 ADDED network n1',
      '1 SYNCED',
      '2 ADDED network n2',
      '3 ADDED network n3',
      '4 DELETED network n1',
      '5 ADDED network n4',
      '6 ADDED network n5',
    ]);
    expect(watcher.retries[0]).toMatchObject({
      error: { codeName: expect.stringMatching(/UNAVAILABLE|CANCELLED/) },
    });
  });

  it('lists again, after a relist marker, when it starts from a revision the agent no longer keeps', async () => {
    const { client } = await start({ eventRetention: 3 });
    for (let n = 1; n <= 6; n++) await client.createNetwork(networkSpec(n));
    const watcher = watch(client, { sinceRevision: 1 });
    await watcher.until('SYNCED', (w) => w.summaries.some((s) => s.endsWith('SYNCED')));
    expect(watcher.summaries).toEqual([
      'RELIST',
      ...range(1, 6).map((n) => `${n} ADDED network n${n}`),
      '6 SYNCED',
    ]);
    const marker = watcher.events[0];
    expect(marker.relist && marker.reason).toMatch(/older than the event log keeps/);

    const { revision } = await client.createNetwork(networkSpec(7));
    await watcher.untilRevision(revision);
    expect(watcher.summaries.at(-1)).toBe('7 ADDED network n7');
  });

  it('lists again when the changes missed during a restart are no longer kept', async () => {
    const first = await start({ eventRetention: 2 });
    const port = first.agent.address.split(':')[1];
    await first.client.createNetwork(networkSpec(1));
    const watcher = watch(first.client);
    await watcher.until('SYNCED', (w) => w.summaries.some((s) => s.endsWith('SYNCED')));
    await first.agent.close(100);
    await watcher.until('a retry', (w) => w.retries.length > 0);

    const meanwhile = await start({ eventRetention: 2 });
    for (let n = 2; n <= 5; n++) await meanwhile.client.createNetwork(networkSpec(n));
    await meanwhile.client.deleteNetwork('n1');
    await meanwhile.agent.close(100);
    await start({ listen: `127.0.0.1:${port}`, eventRetention: 2 });

    await watcher.until(
      'the second SYNCED',
      (w) => w.summaries.filter((s) => s.endsWith('SYNCED')).length === 2,
    );
    expect(watcher.summaries).toEqual([
      '1 ADDED network n1',
      '1 SYNCED',
      'RELIST',
      ...range(2, 5).map((n) => `${n} ADDED network n${n}`),
      '6 SYNCED',
    ]);
  });

  it('resumes after the agent ends it for being too slow, missing nothing', async () => {
    const { client } = await start({ watchQueueCapacity: 2 });
    const retries: string[] = [];
    const onRetry = (retry: WatchRetry) => retries.push(retry.error?.codeName ?? 'closed');
    const events = client.watch({ retryDelayMs: 10, onRetry })[Symbol.asyncIterator]();
    expect((await events.next()).value).toMatchObject({ type: EventType.EVENT_TYPE_SYNCED, revision: 0 });
    // Not reading while the agent sends big events fills the transport's buffers, then the watcher's
    // queue on the agent: the agent ends the stream with RESOURCE_EXHAUSTED, to be resumed.
    const big = bulkyLabels();
    let final = 0;
    for (let i = 0; i < 200; i++) {
      await client.createNetwork(networkSpec(1, big));
      ({ revision: final } = await client.deleteNetwork('n1'));
    }
    const seen: number[] = [];
    while (seen.at(-1) !== final) {
      const { value } = await events.next();
      if (value && !value.relist && value.type !== EventType.EVENT_TYPE_BOOKMARK) seen.push(value.revision);
    }
    await events.return?.();
    expect(seen).toEqual(range(1, final));
    expect(retries).toContain('RESOURCE_EXHAUSTED');
  });
});
