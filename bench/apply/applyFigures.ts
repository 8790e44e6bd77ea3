/**
 * Part 3's figures, computed once from the raw timings, for the console and BENCHMARKS.md alike: a
 * summary per side, Apply against the floor and against CNI, whether the target is met, and the
 * profiled run's costs.
 */
import type { MachineFacts } from '../shared/machineFacts';
import { summarize, type Summary } from '../shared/summarize';
import type { ApplyPartOptions, ApplyPartResult } from './applyPart';
import type { DetachSide, Side } from './applyPhase';
import type { ProfiledApply } from './profileApply';

/** Issue 14's target: one Apply within this many times the `ip -batch` floor (median wall times). */
export const FLOOR_TARGET = 2;

export interface ApplyFigures {
  date: string;
  machine: MachineFacts;
  settings: ApplyPartOptions;
  elapsedS: number;
  /** Wall times of the attach, ms. */
  wall: Record<Side, Summary>;
  /** CPU time of the attach per endpoint, ms: the client and the agent; or the plugin's or ip's processes. */
  cpuPerEndpoint: Record<Side, Summary>;
  /** Wall times of the detach, ms: the empty spec's Apply; `ip link del`. */
  detach: Record<DetachSide, Summary>;
  order: string[];
  /** Apply's median / the floor's, / CNI's; the same for the detach. */
  overFloor: number;
  overCni: number;
  detachOverFloor: number;
  met: boolean;
  profile: ProfiledApply;
}

function mapValues<K extends string, T, U>(o: Record<K, T>, f: (v: T) => U): Record<K, U> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v as T)])) as Record<K, U>;
}

export function computeApplyFigures(args: {
  machine: MachineFacts;
  settings: ApplyPartOptions;
  result: ApplyPartResult;
}): ApplyFigures {
  const { measured, profile, elapsedS } = args.result;
  const { endpoints } = args.settings;
  const wall = mapValues(measured.wall, summarize);
  const detach = mapValues(measured.detach, summarize);
  const overFloor = wall.Apply.median / wall['ip -batch'].median;
  return {
    date: new Date().toISOString(),
    machine: args.machine,
    settings: args.settings,
    elapsedS,
    wall,
    cpuPerEndpoint: mapValues(measured.cpu, (cpu) => summarize(cpu.map((ms) => ms / endpoints))),
    detach,
    order: measured.order,
    overFloor,
    overCni: wall.Apply.median / wall.CNI.median,
    detachOverFloor: detach.Apply.median / detach['ip -batch'].median,
    met: overFloor <= FLOOR_TARGET,
    profile,
  };
}
