/**
 * What the Watch figures say, in sentences computed from them (never written by hand, so that they
 * cannot outlive the figures they describe).
 */
import type { WatchFigures } from './watchFigures';

const ms = (x: number) => `${x.toFixed(1)} ms`;
const times = (a: number, b: number) => `×${(a / b).toFixed(2)}`;
const n = (x: number) => x.toLocaleString('en-US');

function fanOutFindings(f: WatchFigures): string[] {
  const c = f.commitAlone;
  const rows = f.fanOut.map((r) => {
    const w = `${n(r.watchers)} watcher${r.watchers === 1 ? '' : 's'}`;
    return (
      `With ${w}: mvnet p99 ${ms(r.mvnet.upper.p99)} (upper bound) against the peer's ${ms(r.peer.fromWrite.p99)}, ` +
      `${times(r.mvnet.upper.p99, r.peer.fromWrite.p99)}; the last watcher had the event ${ms(r.mvnet.slowest.p50)} ` +
      `after the commit against ${ms(r.peer.slowest.p50)} after the peer's first write (p50 over rounds). The ` +
      `peer's write loop over every stream took ${ms(r.peer.writeLoop.p50)}: the rest of its figure is the ` +
      `transport and ${n(r.watchers)} cop${r.watchers === 1 ? 'y' : 'ies'} decoded in the client processes, the same on both sides. The ` +
      `commit's bracket was p50 ${ms(r.mvnet.bracket.p50)} wide. The mutation's own reply took ` +
      `p50 ${ms(r.mvnet.call.p50)} / p99 ${ms(r.mvnet.call.p99)} from its send, against ` +
      `${ms(c.call.p50)} / ${ms(c.call.p99)} with no watcher open.`
    );
  });
  return [
    ...rows,
    `With no watcher open, the event's stamp came p50 ${ms(c.stampToReply.p50)} before the reply: the upper ` +
      "bound holds up to that much of the commit's own disk write (synchronous=FULL) and the reply's way back.",
  ];
}

function driftFindings(f: WatchFigures): string[] {
  const d = f.drift;
  return [
    `The rtnetlink listener heard the deletion p50 ${ms(d.peerFromSpawn.p50)} after ip's spawn, while the ` +
      `\`ip link del\` process took ${ms(d.ipDel.p50)} to return (the kernel's deletion waits on RCU). The agent ` +
      `stamped its DRIFT event p50 ${ms(d.agentSide.p50)} after ip's return and the watcher had it ` +
      `${ms(d.fromReturn.p50)} after: p50 ${ms(d.afterPeer.p50)} after the kernel's notification reached a bare listener, ` +
      "the agent's monitor, its coalescing of changes, its check and re-attach of the link, the commit and the stream.",
  ];
}

function stalledFindings(f: WatchFigures): string[] {
  const m = f.mutation;
  const noise = m.stalledDropped
    ? `After the overflow the agent does nothing for the stalled watcher (its queue ignores what comes), ` +
      `yet that row differs from "no watcher" by p50 ${times(m.stalledDropped.p50, m.none.p50)}, ` +
      `p99 ${times(m.stalledDropped.p99, m.none.p99)}: the size of this run's noise, against which to read the rest.`
    : 'No stalled watcher overflowed within its block: make the blocks longer to see it.';
  const ended = m.stalledBlocks.every((s) => s.ending === 'RESOURCE_EXHAUSTED');
  return [
    `Mutations beside a stalled watcher: p50 ${ms(m.stalled.p50)} against ${ms(m.none.p50)} without, ` +
      `p99 ${ms(m.stalled.p99)} against ${ms(m.none.p99)}.`,
    noise,
    ended
      ? 'Every stalled watcher was ended with RESOURCE_EXHAUSTED, but only when it read again: the agent ' +
        "waits for HTTP/2 to drain before it takes the next event from the watcher's queue, so it notices the " +
        'overflow then. A client that never reads again nor closes keeps its stream open in the agent; what it ' +
        'holds is bounded (the transport buffers; the overflowed queue drops everything).'
      : `Stalled watchers' endings: ${m.stalledBlocks.map((s) => s.ending).join(', ')}.`,
  ];
}

/** The findings, one sentence or two each. */
export function watchFindings(f: WatchFigures): string[] {
  return [...fanOutFindings(f), ...driftFindings(f), ...stalledFindings(f)];
}
