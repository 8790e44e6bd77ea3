/**
 * Part 1's reference with no watcher at all: the same mutations through the SDK, one at a time, each
 * timed from its send to its reply, and from its event's stamp (read back from the agent's log) to its
 * reply. With nobody to write to, what the stamp → reply time holds is the commit itself (SQLite's
 * COMMIT and its disk sync come after the stamp) and the reply: how much of "from the commit" in the
 * fan-out rows is the agent's commit rather than its fan-out.
 */
import { AgentClient } from '../../client/src/AgentClient';
import { readLoggedEvents } from './readLoggedEvents';
import type { AgentServiceClient } from './watchAgent';
import { FANOUT_NETWORK, fanOutNetwork } from './watchLayout';
import { stampToMonotonicNs, wallMinusMonotonicNs } from './wallClock';

/** Per mutation, in ms. */
export interface CommitAloneSample {
  /** From the request's send to the reply. */
  call: number[];
  /** From the commit's earliest bound (the later of send and stamp) to the reply. */
  stampToReply: number[];
}

const ms = (from: bigint, to: bigint) => Number(to - from) / 1e6;

/** `count` mutations (create, delete, create... and a last delete if needed), no watcher open. */
export async function measureCommitAlone(
  sdk: AgentClient,
  raw: AgentServiceClient,
  count: number,
): Promise<CommitAloneSample> {
  const timed: { sendAt: bigint; replyAt: bigint; offset: bigint; revision: number }[] = [];
  for (let i = 0; i < count; i++) {
    const offset = wallMinusMonotonicNs();
    const sendAt = process.hrtime.bigint();
    const { revision } =
      i % 2 === 0 ? await sdk.createNetwork(fanOutNetwork()) : await sdk.deleteNetwork(FANOUT_NETWORK);
    timed.push({ sendAt, replyAt: process.hrtime.bigint(), offset, revision });
  }
  if (count % 2 === 1) await sdk.deleteNetwork(FANOUT_NETWORK);
  const events = await readLoggedEvents(raw, timed[0].revision - 1, count);
  const stamps = new Map(
    events.map((e) => [e.revision, (e.time?.seconds ?? 0) * 1000 + (e.time?.nanos ?? 0) / 1e6]),
  );
  const sample: CommitAloneSample = { call: [], stampToReply: [] };
  for (const t of timed) {
    const stamp = stamps.get(t.revision);
    if (stamp === undefined) throw new Error(`revision ${t.revision} is not in the agent's log`);
    const stampAt = stampToMonotonicNs(stamp, t.offset);
    sample.call.push(ms(t.sendAt, t.replyAt));
    sample.stampToReply.push(ms(stampAt > t.sendAt ? stampAt : t.sendAt, t.replyAt));
  }
  return sample;
}
