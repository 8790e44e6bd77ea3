import { setMaxListeners } from 'node:events';
import { createClient, type Channel } from 'nice-grpc';
import { AgentServiceDefinition, type WatchResponse } from '../../proto/gen/mvnet/v1/agent_service';
import { EventType } from '../../proto/gen/mvnet/v1/watch';
import { openOwnChannel } from './openOwnChannel';
import type { AgentServiceClient } from './watchAgent';

/** Every watcher's copy of one DRIFT event. */
export interface DriftArrivals {
  /** process.hrtime.bigint() at which each watcher had the event, by watcher. */
  arrivals: bigint[];
  revision: number;
  /** The agent's time stamp of the event, in ms since the epoch (taken inside its commit). */
  stampedMs: number;
  message: string;
}

/** The DRIFT event the fleet waits for, and who has had it so far. */
interface Expectation {
  endpoint: string;
  arrivals: (bigint | undefined)[];
  remaining: number;
  first?: WatchResponse;
  settle: (err?: Error) => void;
}

/**
 * `count` concurrent watchers of one agent, each a raw nice-grpc `watch({ since_revision: 0 })` stream,
 * spread over channels of their own (`perChannel` streams each). Each watcher notes the moment it
 * receives a DRIFT event of the endpoint the fleet is waiting for, in its own `for await` loop: a
 * receipt is timed when the client's event loop gets to that watcher, as a program with that many
 * watchers would see it.
 */
export class WatchFleet {
  private readonly abort = new AbortController();
  private expectation?: Expectation;
  private failure?: Error;
  /** Live events other than the awaited DRIFTs and BOOKMARKs, summed over the watchers. */
  strayEvents = 0;

  private constructor(
    private readonly channels: Channel[],
    readonly count: number,
  ) {}

  /** Opens the watchers and resolves once every one has had SYNCED (its snapshot is over). */
  static async open(
    address: string,
    count: number,
    perChannel: number,
    timeoutMs: number,
  ): Promise<WatchFleet> {
    const channels = Array.from({ length: Math.ceil(count / perChannel) }, () => openOwnChannel(address));
    const clients = channels.map((c) => createClient(AgentServiceDefinition, c));
    const fleet = new WatchFleet(channels, count);
    // Every stream listens to the one signal that closes the fleet: not a leak.
    setMaxListeners(count + 10, fleet.abort.signal);
    const synced = Array.from(
      { length: count },
      (_, i) =>
        new Promise<void>((resolve, reject) => {
          void fleet.runWatcher(clients[Math.floor(i / perChannel)], i, resolve, reject);
        }),
    );
    try {
      await fleet.within(Promise.all(synced), timeoutMs, `${count} watchers did not all get SYNCED`);
    } catch (err) {
      fleet.close();
      throw err;
    }
    return fleet;
  }

  /**
   * Resolves when every watcher has received a DRIFT event for `endpoint`; call it before causing the
   * drift. Rejects after `timeoutMs`, or when a watcher's stream fails.
   */
  expectDrift(endpoint: string, timeoutMs: number): Promise<DriftArrivals> {
    if (this.failure) return Promise.reject(this.failure);
    const done = new Promise<DriftArrivals>((resolve, reject) => {
      const expectation: Expectation = {
        endpoint,
        arrivals: new Array<bigint | undefined>(this.count),
        remaining: this.count,
        settle: (err) => {
          this.expectation = undefined;
          if (err) return reject(err);
          const first = expectation.first!;
          const stampedMs = (first.time?.seconds ?? 0) * 1000 + (first.time?.nanos ?? 0) / 1e6;
          resolve({
            arrivals: expectation.arrivals as bigint[],
            revision: first.revision,
            stampedMs,
            message: first.message,
          });
        },
      };
      this.expectation = expectation;
    });
    const missing = () =>
      `${this.expectation?.remaining ?? 0} of ${this.count} watchers had no DRIFT for ${endpoint}`;
    return this.within(done, timeoutMs, missing).finally(() => (this.expectation = undefined));
  }

  close(): void {
    this.abort.abort();
    for (const channel of this.channels) channel.close();
  }

  private async runWatcher(
    client: AgentServiceClient,
    index: number,
    synced: () => void,
    failed: (err: Error) => void,
  ): Promise<void> {
    try {
      const stream = client.watch({ sinceRevision: 0 }, { signal: this.abort.signal });
      let live = false;
      for await (const event of stream) {
        const at = process.hrtime.bigint();
        if (event.type === EventType.EVENT_TYPE_SYNCED) {
          live = true;
          synced();
        } else if (event.type === EventType.EVENT_TYPE_DRIFT) this.arrive(index, event, at);
        else if (live && event.type !== EventType.EVENT_TYPE_BOOKMARK) this.strayEvents++;
      }
      throw new Error('the agent ended the stream');
    } catch (err) {
      if (this.abort.signal.aborted) return;
      this.failure ??= new Error(`watcher ${index}: ${err instanceof Error ? err.message : String(err)}`);
      failed(this.failure);
      this.expectation?.settle(this.failure);
    }
  }

  private arrive(index: number, event: WatchResponse, at: bigint): void {
    const e = this.expectation;
    if (!e || event.object?.$case !== 'endpoint' || event.object.value.name !== e.endpoint) {
      this.strayEvents++;
      return;
    }
    if (e.arrivals[index] !== undefined) return;
    e.arrivals[index] = at;
    e.first ??= event;
    if (--e.remaining === 0) e.settle();
  }

  /** `promise`, or a rejection naming what is missing after `timeoutMs`. */
  private async within<T>(promise: Promise<T>, timeoutMs: number, what: string | (() => string)): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(typeof what === 'string' ? what : what())), timeoutMs);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
