import { Status } from 'nice-grpc';
import type { WatchRequest, WatchResponse } from '../../proto/gen/mvnet/v1/agent_service';
import type { ResourceKind } from '../../proto/gen/mvnet/v1/apply';
import { MvnetError, toMvnetError } from './errors';
import { WatchCursor } from './WatchCursor';

/** An event as the agent sent it (a change, SYNCED or BOOKMARK), with `relist: false`. */
export type WatchChange = WatchResponse & { relist: false };

/**
 * The SDK's own marker, never sent by an agent: the changes since the consumer's last event can no
 * longer be told (the agent no longer keeps them, or a list broke halfway), so the watch lists again.
 * What follows is the current state as ADDED events, then SYNCED: drop what was built from the events
 * before, and rebuild it from those.
 */
export interface WatchRelist {
  relist: true;
  /** Why, for logs: the agent's OUT_OF_RANGE message, or what broke. */
  reason: string;
}

/** What `AgentClient.watch` yields; tell the two apart with `relist`. */
export type WatchEvent = WatchChange | WatchRelist;

/** A stream about to be opened again, for `onRetry`. */
export interface WatchRetry {
  /** Why the last stream ended; undefined when the agent closed it without an error. */
  error?: MvnetError;
  /** The wait before the new stream is opened. */
  delayMs: number;
  /** The since_revision the new stream asks for (0: a list). */
  sinceRevision: number;
}

export interface WatchOptions {
  /** 0 (default): the current state as ADDED events, then SYNCED, then changes; N: every change after N. */
  sinceRevision?: number;
  /** Only these kinds of objects; empty or omitted: all. */
  kinds?: ResourceKind[];
  /** Only this network and its endpoints; omitted: all. */
  network?: string;
  /** Ends the watch: the iterator then finishes without an error. */
  signal?: AbortSignal;
  /** The first wait before resuming a broken stream, in ms (default 500); doubled at each failure in a row, up to 10 s. */
  retryDelayMs?: number;
  /** Called before each wait to resume (to log it); a relist is an event instead. */
  onRetry?: (retry: WatchRetry) => void;
}

/** Opens one Watch stream (a call on the agent's client, without deadline). */
export type OpenWatchStream = (request: WatchRequest, signal: AbortSignal) => AsyncIterable<WatchResponse>;

const DEFAULT_RETRY_DELAY_MS = 500;
const MAX_RETRY_DELAY_MS = 10_000;

/** Codes that end a stream that is worth resuming: the agent went away or restarted, or found us too slow. */
const RESUMABLE: readonly Status[] = [Status.UNAVAILABLE, Status.CANCELLED, Status.RESOURCE_EXHAUSTED];

/** How one stream ended. */
type StreamEnd = { closed: true } | { error: unknown } | { historyReset: true };

/** What to do after a stream ended (anything else is thrown). */
type NextStep = { retry: MvnetError | undefined } | { relist: string };

/**
 * A watch that resumes by itself, as Kubernetes' informers and etcd's clients do, so that the consumer
 * sees every change once, in order, for as long as it iterates:
 * - the events of one revision (a change may log several: a network deleted with its endpoints, an
 *   Apply) are handed out together, once the last of them (revision_end) has arrived;
 * - a stream that breaks (UNAVAILABLE or CANCELLED: the agent restarted), that the agent ends because
 *   the consumer is too slow (RESOURCE_EXHAUSTED), or that the agent closes, is opened again after a
 *   bounded backoff with since_revision = the last revision handed out whole (the events of a half-received one come again);
 * - OUT_OF_RANGE (those revisions are no longer kept) and an agent whose revision went back (its state
 *   was wiped) lead to a list: a `{ relist: true }` marker, then ADDED events and SYNCED;
 * - every other error is thrown as an MvnetError, and so is the very first stream's failure before any
 *   event arrived (a wrong address fails at once, as the other calls do; once the watch is under way it
 *   waits for the agent to come back, however long it takes).
 * The iterator ends, without an error, when `signal` aborts.
 */
export async function* watchEvents(
  open: OpenWatchStream,
  host: string,
  options: WatchOptions = {},
): AsyncGenerator<WatchEvent, void, undefined> {
  const since = options.sinceRevision ?? 0;
  if (!Number.isSafeInteger(since) || since < 0)
    throw new RangeError(`sinceRevision must be a whole number >= 0, not ${since}`);
  const signal = options.signal ?? new AbortController().signal;
  const baseDelay = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
  const cursor = new WatchCursor(since);
  let established = false;
  let failures = 0;
  while (!signal.aborted) {
    const request = {
      sinceRevision: cursor.openSince(),
      kinds: options.kinds ?? [],
      network: options.network ?? '',
    };
    const end = yield* readStream(open(request, signal), cursor, signal, () => {
      established = true;
      failures = 0;
    });
    if (signal.aborted) return;
    const step = nextStep(end, { established, listing: cursor.listing, host });
    if ('relist' in step) {
      if (cursor.restartList()) yield { relist: true, reason: step.relist };
      continue;
    }
    const delayMs = retryDelay(baseDelay, failures++);
    options.onRetry?.({ error: step.retry, delayMs, sinceRevision: cursor.listing ? 0 : cursor.revision });
    await sleep(delayMs, signal);
    if (signal.aborted) return;
    if (cursor.midList) {
      cursor.restartList();
      yield { relist: true, reason: `the stream broke during the list: ${describe(step.retry)}` };
    }
  }
}

/**
 * Hands out one stream's new events, a revision once it is whole, and says how it ended. Returning
 * early (the consumer aborted while it held an event, or a relist) cancels the call.
 */
async function* readStream(
  stream: AsyncIterable<WatchResponse>,
  cursor: WatchCursor,
  signal: AbortSignal,
  onMessage: () => void,
): AsyncGenerator<WatchChange, StreamEnd, undefined> {
  try {
    for await (const response of stream) {
      onMessage();
      const verdict = cursor.accept(response);
      if (verdict === 'history-reset') return { historyReset: true };
      for (const event of verdict) {
        if (signal.aborted) return { closed: true };
        yield { ...event, relist: false };
      }
      if (signal.aborted) return { closed: true };
    }
    return { closed: true };
  } catch (error) {
    return { error };
  }
}

/** Resume, list again, or throw: see watchEvents. */
function nextStep(end: StreamEnd, state: { established: boolean; listing: boolean; host: string }): NextStep {
  if ('historyReset' in end)
    return { relist: "the agent's revision went back: its state is not the one watched" };
  if ('closed' in end) return { retry: undefined };
  const error = toMvnetError(end.error, state.host);
  if (!(error instanceof MvnetError)) throw error;
  // A list (since_revision = 0) cannot be out of range: an agent saying so would make us loop.
  if (error.code === Status.OUT_OF_RANGE && !state.listing) return { relist: error.details };
  if (state.established && RESUMABLE.includes(error.code)) return { retry: error };
  throw error;
}

/**
 * The wait before resuming after `failures` failures in a row: exponential from `baseMs`, up to 10 s
 * (or `baseMs` when larger), half of it random so that the watchers of a restarted agent spread out.
 */
export function retryDelay(baseMs: number, failures: number): number {
  const ceiling = Math.min(baseMs * 2 ** Math.min(failures, 20), Math.max(baseMs, MAX_RETRY_DELAY_MS));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

function describe(error: MvnetError | undefined): string {
  return error ? `${error.codeName}: ${error.details}` : 'the agent closed it';
}

/** Waits `ms`, or less when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
