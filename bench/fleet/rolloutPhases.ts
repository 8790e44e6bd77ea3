/**
 * Where a rollout's time goes, read from the calls it made (TimedFleet's spans): the fleet-wide plan
 * first (every host read, then every host's dry run: no host starts before all are planned), then,
 * per host, each phase of its change, and the time between its calls, when it waited for nothing but
 * the client's own thread (computing its share, or busy with other hosts).
 */
import { CALL_PHASES, type CallPhase, type CallSpan } from './TimedFleet';

export interface RolloutPhases {
  /** From `fleet.apply()` to the end of the last dry run: the fleet-wide plan. */
  planMs: number;
  /** Per phase, each host's time in it: from its first call of the phase to its last one's end. */
  perHost: Map<CallPhase, number[]>;
  /** Per host, its change (first read again to confirmApply's end) minus the time its calls took. */
  gapMs: number[];
}

/** The union's length of `[start, end]` intervals, in ms. */
function coveredMs(spans: readonly CallSpan[]): number {
  const sorted = [...spans].sort((a, b) => a.startMs - b.startMs);
  let covered = 0;
  let [from, to] = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (const s of sorted) {
    if (s.startMs > to) {
      if (to > from) covered += to - from;
      [from, to] = [s.startMs, s.endMs];
    } else to = Math.max(to, s.endMs);
  }
  return covered + (to > from ? to - from : 0);
}

export function rolloutPhases(spans: readonly CallSpan[]): RolloutPhases {
  const byHost = new Map<string, CallSpan[]>();
  for (const s of spans) byHost.set(s.host, [...(byHost.get(s.host) ?? []), s]);
  const perHost = new Map<CallPhase, number[]>(CALL_PHASES.map((p) => [p, []]));
  const gapMs: number[] = [];
  for (const hostSpans of byHost.values()) {
    for (const phase of CALL_PHASES) {
      const inPhase = hostSpans.filter((s) => s.phase === phase);
      if (inPhase.length === 0) continue;
      const start = Math.min(...inPhase.map((s) => s.startMs));
      perHost.get(phase)!.push(Math.max(...inPhase.map((s) => s.endMs)) - start);
    }
    const change = hostSpans.filter((s) => !s.phase.startsWith('plan:'));
    if (change.length > 0) {
      const start = Math.min(...change.map((s) => s.startMs));
      const end = Math.max(...change.map((s) => s.endMs));
      gapMs.push(end - start - coveredMs(change));
    }
  }
  const dryRuns = spans.filter((s) => s.phase === 'plan: dry run');
  return { planMs: Math.max(0, ...dryRuns.map((s) => s.endMs)), perHost, gapMs };
}
