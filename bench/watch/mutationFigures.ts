/**
 * Part 3's figures: mutation pairs with and without a stalled watcher, and what became of each
 * stalled watcher, computed once from the blocks for the console and BENCHMARKS.md alike.
 */
import type { MutationBlock } from './watchMutationPhase';
import { percentiles, percentilesIfAny, type Percentiles } from './percentiles';

/** Where one stalled watcher stalled, and when its queue overflowed. */
export interface StalledFigures {
  /** Events already on their way when it stopped reading (HTTP/2 windows and stream buffers). */
  buffered: number;
  /** The agent wrote nothing more to it after this revision. */
  stalledAfter: number;
  /** The agent's queue for it, in events, from its message (undefined if it was not ended). */
  capacity?: number;
  /** The revision whose commit overflowed its queue: stalledAfter + capacity + 1. */
  overflowRevision?: number;
  /** Pairs of the block before that commit. */
  pairsBefore: number;
  pairs: number;
  ending: string;
  message: string;
}

export interface MutationFigures {
  none: Percentiles;
  stalled: Percentiles;
  /**
   * The stalled blocks' pairs by what the agent did with their events for the stalled watcher: still
   * written to its stream (flow control had not stopped it yet), held in its queue, dropped (overflowed).
   */
  stalledWritten?: Percentiles;
  stalledQueued?: Percentiles;
  stalledDropped?: Percentiles;
  ratioP50: number;
  ratioP99: number;
  stalledBlocks: StalledFigures[];
  order: string[];
}

/**
 * A stalled block's watcher. The agent's message gives its queue's capacity and the last revision it
 * wrote (`resume with since_revision=N`); the queue then took the next `capacity` events, and the
 * commit after them overflowed it. (If the stream was writing a batch of several events when it
 * stalled, the rest of that batch was dropped too and the overflow came that much later: with one
 * mutation at a time, batches hold one event.)
 */
function stalledFigures(block: MutationBlock): StalledFigures {
  const s = block.stalled!;
  const capacity = Number(/more than (\d+) events behind/.exec(s.message)?.[1]) || undefined;
  const resumeFrom = Number(/since_revision=(\d+)/.exec(s.message)?.[1]) || s.lastBufferedRevision;
  const overflowRevision = capacity === undefined ? undefined : resumeFrom + capacity + 1;
  const pairsBefore = block.pairs.filter(
    (p) => overflowRevision === undefined || p.revision < overflowRevision,
  );
  return {
    buffered: s.buffered,
    stalledAfter: resumeFrom,
    capacity,
    overflowRevision,
    pairsBefore: pairsBefore.length,
    pairs: block.pairs.length,
    ending: s.ending,
    message: s.message,
  };
}

export function computeMutationFigures(blocks: MutationBlock[]): MutationFigures {
  const times = (b: MutationBlock[]) => b.flatMap((block) => block.pairs.map((p) => p.ms));
  const stalledBlocks = blocks.filter((b) => b.stalled);
  const [written, queued, dropped]: number[][] = [[], [], []];
  for (const block of stalledBlocks) {
    const { stalledAfter, overflowRevision = Infinity } = stalledFigures(block);
    for (const p of block.pairs) {
      const phase = p.revision <= stalledAfter ? written : p.revision < overflowRevision ? queued : dropped;
      phase.push(p.ms);
    }
  }
  const none = percentiles(times(blocks.filter((b) => !b.stalled)));
  const stalled = percentiles(times(stalledBlocks));
  return {
    none,
    stalled,
    stalledWritten: percentilesIfAny(written),
    stalledQueued: percentilesIfAny(queued),
    stalledDropped: percentilesIfAny(dropped),
    ratioP50: stalled.p50 / none.p50,
    ratioP99: stalled.p99 / none.p99,
    stalledBlocks: stalledBlocks.map(stalledFigures),
    order: blocks.map((b) => b.condition),
  };
}
