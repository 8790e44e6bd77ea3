#!/usr/bin/env node
/**
 * A client process of the Watch benchmark, forked by it (WatchClients.ts): it holds watchers, each a
 * nice-grpc `Watch(since_revision=0)` stream of the generated AgentService client (as an orchestrator
 * would hold them), in fleets, one per server watched. Each watcher times its receipt of an event in
 * its own `for await` loop, first thing; once every watcher of a fleet here has an event, the process
 * reports it with all their receipt times. It exits when told, or when the benchmark's IPC channel
 * closes (the benchmark died).
 */
import { setMaxListeners } from 'node:events';
import { createClient, type Channel } from 'nice-grpc';
import { AgentServiceDefinition, WatchResponse } from '../../proto/gen/mvnet/v1/agent_service';
import { EventType } from '../../proto/gen/mvnet/v1/watch';
import { openOwnChannel } from './openOwnChannel';
import type { AgentServiceClient } from './watchAgent';
import type { ClientCommand, ClientReport, ReceivedEvent } from './watchClientProtocol';

/** An event some watchers of a fleet have had, waiting for the rest. */
interface Pending {
  arrivals: BigInt64Array;
  got: Uint8Array;
  remaining: number;
  first: WatchResponse;
  sequence: number;
}

function report(message: ClientReport): void {
  process.send?.(message);
}

class Fleet {
  private readonly abort = new AbortController();
  private readonly channels: Channel[];
  private readonly pending = new Map<string, Pending>();
  private failed = false;

  constructor(
    private readonly name: string,
    address: string,
    private readonly count: number,
    perChannel: number,
  ) {
    this.channels = Array.from({ length: Math.ceil(count / perChannel) }, () => openOwnChannel(address));
    // Every stream listens to the one signal that closes the fleet: not a leak.
    setMaxListeners(count + 10, this.abort.signal);
    const clients = this.channels.map((c) => createClient(AgentServiceDefinition, c));
    let synced = 0;
    for (let i = 0; i < count; i++) {
      void this.runWatcher(clients[Math.floor(i / perChannel)], i, () => {
        if (++synced === count) report({ type: 'opened', fleet: name });
      });
    }
  }

  close(): void {
    this.abort.abort();
    for (const channel of this.channels) channel.close();
  }

  private async runWatcher(client: AgentServiceClient, index: number, synced: () => void): Promise<void> {
    try {
      let live = false;
      /** The revision of the last live event, and that event's place in it (a revision may hold several). */
      let [revision, sequence] = [0, 0];
      for await (const event of client.watch({ sinceRevision: 0 }, { signal: this.abort.signal })) {
        const at = process.hrtime.bigint();
        if (event.type === EventType.EVENT_TYPE_SYNCED) {
          if (!live) synced();
          live = true;
        } else if (live && event.type !== EventType.EVENT_TYPE_BOOKMARK) {
          sequence = event.revision === revision ? sequence + 1 : 0;
          revision = event.revision;
          this.arrive(index, event, sequence, at);
        }
      }
      throw new Error('the server ended the stream');
    } catch (err) {
      if (this.abort.signal.aborted || this.failed) return;
      this.failed = true;
      const why = err instanceof Error ? err.message : String(err);
      report({ type: 'failed', fleet: this.name, message: `watcher ${index}: ${why}` });
    }
  }

  private arrive(index: number, event: WatchResponse, sequence: number, at: bigint): void {
    const key = `${event.revision}/${sequence}`;
    let p = this.pending.get(key);
    if (!p) {
      p = {
        arrivals: new BigInt64Array(this.count),
        got: new Uint8Array(this.count),
        remaining: this.count,
        first: event,
        sequence,
      };
      this.pending.set(key, p);
    }
    if (p.got[index]) return;
    p.got[index] = 1;
    p.arrivals[index] = at;
    if (--p.remaining > 0) return;
    this.pending.delete(key);
    report({ type: 'received', fleet: this.name, event: received(p.first, p.sequence, p.arrivals) });
  }
}

function received(e: WatchResponse, sequence: number, arrivals: BigInt64Array): ReceivedEvent {
  const object = e.object;
  return {
    revision: e.revision,
    sequence,
    eventType: e.type,
    kind: object?.$case ?? '',
    name: object && object.$case !== 'host' ? object.value.name : '',
    message: e.message,
    stampMs: (e.time?.seconds ?? 0) * 1000 + (e.time?.nanos ?? 0) / 1e6,
    bytes: WatchResponse.encode(e).finish().length,
    arrivals,
  };
}

const fleets = new Map<string, Fleet>();

function exit(): void {
  for (const fleet of fleets.values()) fleet.close();
  process.exit(0);
}

process.on('message', (m: ClientCommand) => {
  if (m.type === 'open') fleets.set(m.fleet, new Fleet(m.fleet, m.address, m.count, m.perChannel));
  else if (m.type === 'close') {
    fleets.get(m.fleet)?.close();
    fleets.delete(m.fleet);
    report({ type: 'closed', fleet: m.fleet });
  } else exit();
});
process.on('disconnect', exit);
// Ctrl-C at the terminal reaches the whole foreground group: the benchmark tells this process to exit.
process.on('SIGINT', () => undefined);
