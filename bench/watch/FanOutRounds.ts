/**
 * The rounds of part 1 at one watcher count, each side's own, timed into one sample.
 *
 * An mvnet round is one mutation through the SDK, alternately CreateNetwork and DeleteNetwork of
 * `wf-fanout` (an ADDED, then a DELETED event). Its commit is bracketed on the shared monotonic clock:
 * - not before the later of the request's send and the event's own stamp (Date.now(), whole ms, taken
 *   inside the transaction before SQLite's COMMIT): the start of the upper bound of each receipt's delay;
 * - not after the earlier of the reply and the end of the ms of the first line of the agent's log that
 *   names the revision (RevisionLog.ts): the start of the lower bound.
 * A peer round has the raw grpc-js server write a copy of the agent's event of the same type to every
 * stream, timed from the server's first write: renumbered (its revision and its network's, from the
 * agent's latest on, so their varints are as long as the agent's) and stamped now, so of the same size.
 */
import { WatchResponse } from '../../proto/gen/mvnet/v1/agent_service';
import { EventType } from '../../proto/gen/mvnet/v1/watch';
import type { AgentClient } from '../../client/src/AgentClient';
import type { FanOutSample } from './fanOutPhase';
import type { PeerMessages } from './peerMessages';
import type { PeerStreamServer } from './PeerStreamServer';
import type { RevisionLog } from './RevisionLog';
import type { FleetEvent, WatchClients } from './WatchClients';
import { FANOUT_NETWORK, fanOutNetwork } from './watchLayout';
import { stampToMonotonicNs, wallMinusMonotonicNs } from './wallClock';

const EVENT_DEADLINE_MS = 15_000;
/** How long the agent's log line naming a revision may take to come through its pipe. */
const LOG_LINE_DEADLINE_MS = 1000;

const ms = (from: bigint, to: bigint) => Number(to - from) / 1e6;
const latest = (a: bigint, b: bigint) => (a > b ? a : b);
const earliest = (a: bigint, b: bigint) => (a < b ? a : b);
const lastOf = (e: FleetEvent) => e.arrivals.reduce(latest);

/** What the rounds work with. */
export interface FanOutParts {
  clients: WatchClients;
  sdk: AgentClient;
  revisions: RevisionLog;
  peer: PeerStreamServer;
  messages: PeerMessages;
}

/** `event` with `revision` for its own and its network's, stamped `nowMs`. */
function renumbered(event: WatchResponse, revision: number, nowMs: number): WatchResponse {
  const time = { seconds: Math.floor(nowMs / 1000), nanos: (nowMs % 1000) * 1_000_000 };
  const o = event.object;
  const object =
    o?.$case === 'network' && o.value.status
      ? { ...o, value: { ...o.value, status: { ...o.value.status, revision } } }
      : o;
  return { ...event, revision, time, object };
}

export class FanOutRounds {
  /** Whether the fan-out network exists: the next mvnet round deletes it, else creates it. */
  private exists = false;
  /** The peer's last revision; its next is past both it and the agent's latest. */
  private peerRevision: number;
  private agentRevision = 0;
  private peerAdds = true;
  readonly sample: FanOutSample;

  constructor(
    private readonly x: FanOutParts,
    private readonly fleets: { mvnet: string; peer: string },
    watchers: number,
  ) {
    this.peerRevision = x.messages.deleted.revision;
    this.sample = {
      watchers,
      mvnet: { upper: [], lower: [], bracket: [], slowest: [], bytes: [], call: [], fromLogLine: 0 },
      peer: { fromWrite: [], writeLoop: [], slowest: [], bytes: [] },
      strays: { mvnet: 0, peer: 0 },
    };
  }

  async mvnetRound(counted: boolean): Promise<void> {
    const creating = !this.exists;
    const type = creating ? EventType.EVENT_TYPE_ADDED : EventType.EVENT_TYPE_DELETED;
    const got = this.x.clients.expect(
      this.fleets.mvnet,
      (e) => e.kind === 'network' && e.name === FANOUT_NETWORK && e.eventType === type,
      EVENT_DEADLINE_MS,
    );
    const offset = wallMinusMonotonicNs();
    const sendAt = process.hrtime.bigint();
    const { revision } = creating
      ? await this.x.sdk.createNetwork(fanOutNetwork())
      : await this.x.sdk.deleteNetwork(FANOUT_NETWORK);
    const replyAt = process.hrtime.bigint();
    this.exists = creating;
    this.agentRevision = revision;
    const [e, loggedMs] = await Promise.all([got, this.x.revisions.loggedAt(revision, LOG_LINE_DEADLINE_MS)]);
    if (!counted) return;
    const from = latest(sendAt, stampToMonotonicNs(e.stampMs, offset));
    const logged = loggedMs === undefined ? undefined : stampToMonotonicNs(loggedMs + 1, offset);
    const by = logged === undefined ? replyAt : earliest(replyAt, logged);
    const s = this.sample.mvnet;
    for (const at of e.arrivals) {
      s.upper.push(ms(from, at));
      s.lower.push(ms(by, at));
    }
    s.bracket.push(ms(from, by));
    s.call.push(ms(sendAt, replyAt));
    s.slowest.push(ms(from, lastOf(e)));
    s.bytes.push(...e.bytes);
    if (by !== replyAt) s.fromLogLine++;
  }

  async peerRound(counted: boolean): Promise<void> {
    const revision = (this.peerRevision = Math.max(this.peerRevision + 1, this.agentRevision));
    const template = this.peerAdds ? this.x.messages.added : this.x.messages.deleted;
    this.peerAdds = !this.peerAdds;
    const bytes = WatchResponse.encode(renumbered(template, revision, Date.now())).finish();
    const got = this.x.clients.expect(this.fleets.peer, (e) => e.revision === revision, EVENT_DEADLINE_MS);
    const emitted = await this.x.peer.emit(bytes);
    const e = await got;
    if (!counted) return;
    const s = this.sample.peer;
    for (const at of e.arrivals) s.fromWrite.push(ms(emitted.startNs, at));
    s.writeLoop.push(ms(emitted.startNs, emitted.endNs));
    s.slowest.push(ms(emitted.startNs, lastOf(e)));
    s.bytes.push(...e.bytes);
  }

  /** Deletes the network if the last round left it. */
  async finish(): Promise<void> {
    if (this.exists) await this.x.sdk.deleteNetwork(FANOUT_NETWORK);
    this.exists = false;
  }
}
