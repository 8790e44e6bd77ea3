/**
 * The soak's watchers coming and going, in their own process (bench/memory/watchersProcess.ts): a
 * pool of `watchers` streams opened from revision 0 at the start; then every `everyMs` the `replace`
 * oldest are closed and as many opened, half from revision 0 (the whole state again) and half from
 * the host's latest revision; and every `stallEvery`-th time one stream more that stops reading at
 * SYNCED, which the agent must end once its queue is full (RESOURCE_EXHAUSTED) and then forget.
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
      counts.open = (await watchers.open(1, 0, ANSWER_MS, true)).open;
      counts.opened++;
      counts.stalled++;
    }
  }
}
