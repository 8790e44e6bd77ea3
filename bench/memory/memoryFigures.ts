/**
 * The memory benchmark's figures, computed from what its parts measured: per idle side, the medians
 * over rounds of its readings early on and once settled; part 2's readings as they are; and the
 * targets of issue 14 against them.
 */
import type { MachineFacts } from '../shared/machineFacts';
import { summarize, type Summary } from '../shared/summarize';
import { IDLE_SIDES, type IdleSide } from './idleSides';
import type { IdleRun, IdleSettings, TimedReading } from './idlePhase';
import type { ScaleResult, ScaleSettings } from './scalePhase';

/** Idle RSS target, MiB (issue 14, target 5). */
export const IDLE_TARGET_MIB = 64;
/** With 1,000 endpoints and 1,000 watchers, MiB. */
export const SCALE_TARGET_MIB = 250;
/** "Early": the first reading this long after a side was ready (before V8's memory reducer, ~8 s in). */
export const EARLY_MS = 3000;

export interface IdleFigures {
  side: IdleSide;
  early: Summary;
  settled: Summary;
  /** Medians, at the settled reading. */
  anonMiB: number;
  fileMiB: number;
  fds: number;
  children: number;
  /** The highest VmHWM of its runs. */
  hwmMiB: number;
}

export interface MemoryFigures {
  date: string;
  elapsedS: number;
  machine: MachineFacts;
  agentLogLevel: string;
  idleSettings?: IdleSettings;
  idle?: IdleFigures[];
  scaleSettings?: ScaleSettings;
  scale?: ScaleResult;
}

function median(values: number[]): number {
  return summarize(values).median;
}

function earlyReading(timeline: TimedReading[]): TimedReading {
  return timeline.find((r) => r.atMs >= EARLY_MS) ?? timeline.at(-1)!;
}

/** Every side's figures, in IDLE_SIDES order. */
export function computeIdleFigures(runs: IdleRun[]): IdleFigures[] {
  return IDLE_SIDES.map((side) => {
    const mine = runs.filter((r) => r.side === side);
    const settled = mine.map((r) => r.timeline.at(-1)!);
    return {
      side,
      early: summarize(mine.map((r) => earlyReading(r.timeline).rssMiB)),
      settled: summarize(settled.map((r) => r.rssMiB)),
      anonMiB: median(settled.map((r) => r.anonMiB)),
      fileMiB: median(settled.map((r) => r.fileMiB)),
      fds: median(settled.map((r) => r.fds)),
      children: median(settled.map((r) => r.children)),
      hwmMiB: Math.max(...settled.map((r) => r.hwmMiB)),
    };
  });
}

/** One target, judged. */
export interface TargetLine {
  met: boolean;
  text: string;
}

/** Issue 14's memory targets against the figures measured (those of the parts that ran). */
export function memoryTargets(f: MemoryFigures): TargetLine[] {
  const lines: TargetLine[] = [];
  if (f.idle) {
    const of = (side: IdleSide) => f.idle!.find((i) => i.side === side)!;
    const peer = of('grpc-js server');
    for (const side of ['agent', 'agent after GetHost'] as const) {
      const agent = of(side);
      const met = agent.settled.median <= IDLE_TARGET_MIB;
      lines.push({
        met,
        text:
          `idle RSS, ${side}: ${agent.settled.median.toFixed(1)} MiB settled (median; target ≤ ${IDLE_TARGET_MIB}): ` +
          `${met ? 'met' : 'NOT met'}; ${(agent.settled.median / peer.settled.median).toFixed(2)}× the empty grpc-js ` +
          `server (${peer.settled.median.toFixed(1)} MiB); ${agent.early.median.toFixed(1)} MiB ${EARLY_MS / 1000} s after ` +
          `start (${(agent.early.median / peer.early.median).toFixed(2)}× the server then)`,
      });
    }
  }
  if (f.scale && f.scaleSettings) {
    const s = f.scaleSettings;
    const loaded = f.scale.readings['endpoints and watchers'];
    const idle = f.scale.readings.started;
    const what = `${s.endpoints} endpoints and ${s.watchers} watchers`;
    const settledMet = loaded.rssMiB <= SCALE_TARGET_MIB;
    lines.push({
      met: settledMet,
      text:
        `${what}, settled: ${loaded.rssMiB.toFixed(1)} MiB (target ≤ ${SCALE_TARGET_MIB}): ${settledMet ? 'met' : 'NOT met'}; ` +
        `${(loaded.rssMiB / SCALE_TARGET_MIB).toFixed(2)}× the target, ${(loaded.rssMiB / idle.rssMiB).toFixed(2)}× the same agent idle`,
    });
    const peakMet = loaded.hwmMiB <= SCALE_TARGET_MIB;
    lines.push({
      met: peakMet,
      text:
        `${what}, at the peak (VmHWM, while the watchers read the state): ${loaded.hwmMiB.toFixed(1)} MiB ` +
        `(target ≤ ${SCALE_TARGET_MIB}): ${peakMet ? 'met' : 'NOT met'}; ${(loaded.hwmMiB / SCALE_TARGET_MIB).toFixed(2)}× the target`,
    });
  }
  return lines;
}
