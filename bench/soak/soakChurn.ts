/**
 * The soak's watchers coming and going, in their own process (bench/memory/watchersProcess.ts): a
 * pool of `watchers` streams opened from revision 0 at the start; then every `everyMs` the `replace`
 * oldest are closed and as many opened, half from revision 0 (the whole state again) and half from
 * the host's latest revision; and every `stallEvery`-th time one stream more that stops reading at
 * SYNCED: its queue in the agent fills until it overflows (the agent drops what it held, and ends the
 * stream with RESOURCE_EXHAUSTED when it can write again), and all of it must go when it closes. The
 * oldest stalled stream is closed once STALLED_KEPT are open, so that the streams open stay as many
 * all along: what grows with the run is the agent's, not the load's.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Watchers } from '../memory/Watchers';

export interface ChurnSettings {
  watchers: number;
  replace: number;
  everyMs: number;
  stallEvery: number;
}

export interface ChurnCounts {
  opened: number;
  closed: number;
  stalled: number;
  /** Streams open after the last step. */
  open: number;
}

const ANSWER_MS = 60_000;
/**
 * Stalled streams kept open at once: each lives STALLED_KEPT stall steps (60 s with the defaults),
 * long enough for the agent's queue of 1,000 events to overflow at the soak's pace (~30 events a second).
 */
const STALLED_KEPT = 6;

/** Opens the pool; resolves once every stream is live. */
export async function openPool(s: ChurnSettings, watchers: Watchers, counts: ChurnCounts): Promise<void> {
  counts.open = (await watchers.open(s.watchers, 0, ANSWER_MS)).open;
  counts.opened += s.watchers;
}

/** Churns until `until()` says stop (checked between steps). */
export async function runChurn(
  s: ChurnSettings,
  watchers: Watchers,
  latestRevision: () => number,
  counts: ChurnCounts,
  until: () => boolean,
): Promise<void> {
  for (let step = 1; !until(); step++) {
    await sleep(s.everyMs);
    await watchers.close(s.replace, ANSWER_MS);
    counts.closed += s.replace;
    const fromZero = Math.ceil(s.replace / 2);
    await watchers.open(fromZero, 0, ANSWER_MS);
    counts.open = (await watchers.open(s.replace - fromZero, latestRevision(), ANSWER_MS)).open;
    counts.opened += s.replace;
    if (s.stallEvery > 0 && step % s.stallEvery === 0) {
      if (counts.stalled >= STALLED_KEPT) {
        await watchers.close(1, ANSWER_MS, true);
        counts.closed++;
      }
      counts.open = (await watchers.open(1, 0, ANSWER_MS, true)).open;
      counts.opened++;
      counts.stalled++;
    }
  }
}
