/**
 * What the fleet benchmark and a process of simulated hosts (simulatedHostsProcess.ts) say to each other over
 * the IPC channel of `fork`. The process is started with its share of the hosts in argv; it answers
 * once they all serve, and stops them when told to, or when the channel closes (the benchmark died).
 */

/** The child's arguments: how many agents, the index of its first (for state dir names), the state dir. */
export interface SimulatedHostsArgs {
  count: number;
  first: number;
  stateDir: string;
  /** Agents started at once. */
  parallel: number;
}

export function simulatedHostsArgv(a: SimulatedHostsArgs): string[] {
  return [String(a.count), String(a.first), a.stateDir, String(a.parallel)];
}

export function parseSimulatedHostsArgv(argv: readonly string[]): SimulatedHostsArgs {
  const [count, first, stateDir, parallel] = argv;
  return { count: Number(count), first: Number(first), stateDir, parallel: Number(parallel) };
}

/** Child → benchmark. */
export type SimulatedHostsReport =
  { type: 'ready'; addresses: string[]; startMs: number } | { type: 'failed'; message: string };

/** Benchmark → child: stop every agent, remove the state, exit. */
export type SimulatedHostsCommand = { type: 'stop' };
