#!/usr/bin/env node
/**
 * A process of Watch clients, forked by the memory and soak benchmarks (watchersProtocol.ts): it opens
 * and closes raw nice-grpc `Watch` streams on one agent when told, `perChannel` streams per channel,
 * each channel on a TCP connection of its own, and says when every open stream has seen a given
 * network added (proof that all of them are live). Streams the agent ends (RESOURCE_EXHAUSTED for a
 * stalled one, say) are counted and reported. It exits when told, or when the benchmark's IPC
 * channel closes (the benchmark died).
 */
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { createClient, type Channel, type Client } from 'nice-grpc';
import { AgentServiceDefinition } from '../../proto/gen/mvnet/v1/agent_service';
import { EventType } from '../../proto/gen/mvnet/v1/watch';
import { openOwnChannel } from '../watch/openOwnChannel';
import { parseWatchersArgv, type WatchersCommand, type WatchersReport } from './watchersProtocol';

const args = parseWatchersArgv(process.argv.slice(2));

interface OpenChannel {
  channel: Channel;
  client: Client<typeof AgentServiceDefinition>;
  streams: number;
}

interface Stream {
  abort: AbortController;
  channel: OpenChannel;
  /** Networks this stream has seen added since the last `expect`. */
  added: Set<string>;
  /** It stops reading at SYNCED: it sees nothing later, and no `expect` waits for it. */
  stalled: boolean;
}

const streams: Stream[] = [];
const endedBy = new Map<string, number>();
let expected: { network: string; since: number } | undefined;

function report(message: WatchersReport): void {
  process.send?.(message);
}

/** Tells the benchmark once every open stream has seen the awaited network. */
function checkExpectation(): void {
  if (!expected || streams.some((s) => !s.stalled && !s.added.has(expected!.network))) return;
  report({
    type: 'saw',
    network: expected.network,
    watchers: streams.filter((s) => !s.stalled).length,
    ms: performance.now() - expected.since,
  });
  expected = undefined;
}

/** Resolves when `signal` aborts. */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/**
 * Reads one stream until it ends; `synced` once it is live: from 0, at SYNCED; from a revision (no
 * SYNCED comes), as soon as it is asked for. A stalled stream stops reading at SYNCED.
 */
async function runStream(stream: Stream, sinceRevision: number, synced: () => void): Promise<void> {
  try {
    const events = stream.channel.client.watch({ sinceRevision }, { signal: stream.abort.signal });
    if (sinceRevision > 0) synced();
    for await (const event of events) {
      if (event.type === EventType.EVENT_TYPE_SYNCED) {
        synced();
        if (stream.stalled) await aborted(stream.abort.signal);
      } else if (event.type === EventType.EVENT_TYPE_ADDED && event.object?.$case === 'network') {
        stream.added.add(event.object.value.name);
        if (expected?.network === event.object.value.name) checkExpectation();
      }
    }
    noteEnd('the agent ended the stream');
  } catch (err) {
    if (!stream.abort.signal.aborted) noteEnd(err instanceof Error ? err.message : String(err));
  } finally {
    synced();
    remove(stream);
  }
}

function noteEnd(message: string): void {
  const count = (endedBy.get(message) ?? 0) + 1;
  endedBy.set(message, count);
  report({ type: 'ended', message, count });
}

function remove(stream: Stream): void {
  const at = streams.indexOf(stream);
  if (at < 0) return;
  streams.splice(at, 1);
  if (--stream.channel.streams === 0) stream.channel.channel.close();
  checkExpectation();
}

/**
 * Opens `count` streams, a channel of `perChannel` at a time, each channel's streams all past
 * SYNCED before the next channel opens (as clients arriving one after another would).
 */
async function open(count: number, sinceRevision: number, stall: boolean): Promise<void> {
  const started = performance.now();
  for (let left = count; left > 0; left -= args.perChannel) {
    const channel = openOwnChannel(args.address);
    const open: OpenChannel = { channel, client: createClient(AgentServiceDefinition, channel), streams: 0 };
    const wave = Array.from({ length: Math.min(left, args.perChannel) }, () => {
      const abort = new AbortController();
      setMaxListeners(4, abort.signal);
      const stream: Stream = { abort, channel: open, added: new Set(), stalled: stall };
      open.streams++;
      streams.push(stream);
      return new Promise<void>((resolve) => void runStream(stream, sinceRevision, resolve));
    });
    await Promise.all(wave);
  }
  report({ type: 'opened', open: streams.length, ms: performance.now() - started });
}

function close(count: number, stalled: boolean): void {
  for (const stream of streams.filter((s) => s.stalled === stalled).slice(0, count)) {
    stream.abort.abort();
    remove(stream);
  }
  report({ type: 'closed', open: streams.length });
}

function stop(): never {
  for (const stream of [...streams]) stream.abort.abort();
  process.exit(0);
}

process.on('message', (m: WatchersCommand) => {
  if (m.type === 'open')
    open(m.count, m.sinceRevision, m.stall ?? false).catch((err: unknown) =>
      report({ type: 'failed', message: err instanceof Error ? err.message : String(err) }),
    );
  else if (m.type === 'close') close(m.count, m.stalled);
  else if (m.type === 'expect') {
    for (const s of streams) s.added.delete(m.network);
    expected = { network: m.network, since: performance.now() };
    checkExpectation();
  } else stop();
});
process.on('disconnect', stop);
// Ctrl-C at the terminal reaches the whole foreground group: the benchmark tells this process to stop.
process.on('SIGINT', () => undefined);
