/**
 * What the Watch figures say, in sentences computed from them (never written by hand, so that they
 * cannot outlive the figures they describe).
 */
import { WatchFigures } from './watchFigures';

const ms = (x: number) => `${x.toFixed(1)} ms`;
const times = (a: number, b: number) => `×${(a / b).toFixed(2)}`;
const n = (x: number) => x.toLocaleString('en-US');

function driftFindings(f: WatchFigures): string[] {
  const d = f.drift;
  const one = d.find((x) => x.watchers === 1) ?? d[0];
  const most = d[d.length - 1];
  const fanOut = d.map((x) => `${ms(x.fanOut.p50)} with ${n(x.watchers)}`).join(', ');
  return [
    `With ${n(one.watchers)} watcher(s) the latency (p50 ${ms(one.fromReturn.p50)} from ip's return) is nearly all the agent's ` +
      `own pipeline (p50 ${ms(one.agentSide.p50)} from ip's return to the event's stamp): its 50 ms debounce, ` +
      'counted from the notification, which goes out before ip returns, then the check and the re-attach ' +
      '(over rtnetlink, no process); the DRIFT event is committed once the link is back.',
    `The fan-out (stamp → receipt, p50) grows with the watchers: ${fanOut}. With ${n(most.watchers)} watchers ` +
      `the slowest one got the event ${ms(most.slowest.p50)} after ip's return (p50 over rounds); the ` +
      "benchmark's one Node process decodes every copy and shares the CPUs with the agent, so its share is in that.",
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
  return [...driftFindings(f), ...stalledFindings(f)];
}
