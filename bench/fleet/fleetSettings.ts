/** What a run of the fleet benchmark was asked to do (its command line, defaults filled in). */
export interface FleetSettings {
  /** Part 1: the fleet sizes of real agents, ascending. */
  realCounts: number[];
  realRounds: number;
  realWarmup: number;
  /** Real agents started at once. */
  startParallel: number;
  /** Part 2: simulated agents, the child processes serving them, and its rounds. */
  simulated: number;
  processes: number;
  simulatedRounds: number;
  simulatedWarmup: number;
  /** Part 2's waves: maxUnavailable as a percentage of the hosts. */
  wavePercent: number;
  /** Every Apply's confirmation window (ms). */
  confirmWithinMs: number;
  /** The fleet's per-call deadline and host read deadline (ms); undefined: the SDK's defaults. */
  hostDeadlineMs?: number;
  settleMs: number;
  agentLogLevel: string;
  only?: 'real' | 'simulated';
}
