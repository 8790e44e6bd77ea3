import { ClientError, createClient, Status, type Channel } from 'nice-grpc';
import { AgentServiceDefinition, type WatchResponse } from '../../proto/gen/mvnet/v1/agent_service';
import { EventType } from '../../proto/gen/mvnet/v1/watch';
import { openOwnChannel } from './openOwnChannel';

/** What became of a stalled watcher, learnt by reading its stream again at the end. */
export interface StalledOutcome {
  /** The revision of the SYNCED marker: the watcher stopped reading right after it. */
  syncedAt: number;
  /** Events that were still on their way (in the HTTP/2 windows and stream buffers) when it read again. */
  buffered: number;
  /** The revision of the last of them. */
  lastBufferedRevision: number;
  /** How the stream ended: a status code name, or `not ended` when it was still live. */
  ending: string;
  /** The agent's message with it. */
  message: string;
}

/**
 * A watcher that opens a stream (since 0), reads it up to SYNCED, and then reads nothing more: its
 * client stops taking messages, HTTP/2 flow control stops the agent's writes, and the agent's queue
 * for it fills until it overflows. It is on a channel (a TCP connection) of its own, as another
 * orchestrator would be. `finish()` reads what is left, to learn where it stalled and how it ended.
 */
export class StalledWatcher {
  private constructor(
    private readonly abort: AbortController,
    private readonly channel: Channel,
    private readonly stream: AsyncIterator<WatchResponse>,
    private readonly syncedAt: number,
  ) {}

  static async open(address: string): Promise<StalledWatcher> {
    const channel = openOwnChannel(address);
    const abort = new AbortController();
    const client = createClient(AgentServiceDefinition, channel);
    const stream = client.watch({ sinceRevision: 0 }, { signal: abort.signal })[Symbol.asyncIterator]();
    try {
      for (;;) {
        const { value, done } = await stream.next();
        if (done) throw new Error('the agent ended a new watch stream before SYNCED');
        if (value.type === EventType.EVENT_TYPE_SYNCED) {
          return new StalledWatcher(abort, channel, stream, value.revision);
        }
      }
    } catch (err) {
      abort.abort();
      channel.close();
      throw err;
    }
  }

  /**
   * Reads the stream again until it ends, or until nothing came for `quietMs` (it was still live),
   * then closes it.
   */
  async finish(quietMs: number): Promise<StalledOutcome> {
    const outcome: StalledOutcome = {
      syncedAt: this.syncedAt,
      buffered: 0,
      lastBufferedRevision: this.syncedAt,
      ending: 'not ended',
      message: '',
    };
    try {
      for (;;) {
        const next = await this.nextWithin(quietMs);
        if (next === 'quiet') break;
        if (next.done) {
          outcome.ending = 'OK';
          break;
        }
        if (next.value.type === EventType.EVENT_TYPE_BOOKMARK) continue;
        outcome.buffered++;
        outcome.lastBufferedRevision = next.value.revision;
      }
    } catch (err) {
      if (!(err instanceof ClientError)) throw err;
      outcome.ending = Status[err.code];
      outcome.message = err.details;
    } finally {
      this.abort.abort();
      this.channel.close();
    }
    return outcome;
  }

  /** Closes the stream without reading it (on the way out after a failure). */
  close(): void {
    this.abort.abort();
    this.channel.close();
  }

  private async nextWithin(ms: number): Promise<IteratorResult<WatchResponse> | 'quiet'> {
    let timer: NodeJS.Timeout | undefined;
    const quiet = new Promise<'quiet'>((resolve) => (timer = setTimeout(() => resolve('quiet'), ms)));
    const next = this.stream.next();
    // Left pending when the stream is quiet, it rejects once the stream is closed: nobody waits for that.
    next.catch(() => undefined);
    try {
      return await Promise.race([next, quiet]);
    } finally {
      clearTimeout(timer);
    }
  }
}
