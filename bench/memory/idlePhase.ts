/**
 * Part 1, idle memory: in each round every side (idleSides.ts) is started, one after the other in an
 * order that turns from round to round, then all are read side by side every `sampleMs` from the
 * moment each was ready until each has been idle `settleMs`; then all are ended. A side's timeline is
 * its readings, each with the time since it was ready.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { readProcess, type ProcessReading } from './processMemory';
import { IDLE_SIDES, startIdleSide, type IdleProcess, type IdleSide } from './idleSides';

export interface IdleSettings {
  rounds: number;
  /** How long each side stays idle, read all along. */
  settleMs: number;
  sampleMs: number;
}

export interface TimedReading extends ProcessReading {
  /** ms since the side was ready. */
  atMs: number;
}

export interface IdleRun {
  side: IdleSide;
  round: number;
  timeline: TimedReading[];
}

/** The sides of round `round`, the order turned by one each round. */
function roundOrder(round: number): IdleSide[] {
  return IDLE_SIDES.map((_, i) => IDLE_SIDES[(i + round) % IDLE_SIDES.length]);
}

async function runRound(
  round: number,
  s: IdleSettings,
  hostNetns: string,
  logLevel: string,
): Promise<IdleRun[]> {
  const started: { run: IdleRun; proc: IdleProcess; readyAt: number }[] = [];
  let lost: Error | undefined;
  // Read from each side's start on, while the later ones start.
  const sample = () => {
    const now = performance.now();
    for (const { run, proc, readyAt } of started) {
      if (now - readyAt > s.settleMs + s.sampleMs / 2) continue;
      const reading = readProcess(proc.pid, run.side.startsWith('agent'));
      if (reading) run.timeline.push({ atMs: now - readyAt, ...reading });
      else lost ??= new Error(`${run.side} (pid ${proc.pid}) ended while idle`);
    }
  };
  const timer = setInterval(sample, s.sampleMs);
  try {
    for (const side of roundOrder(round)) {
      const proc = await startIdleSide(side, hostNetns, logLevel);
      started.push({ run: { side, round, timeline: [] }, proc, readyAt: performance.now() });
    }
    await sleep(s.settleMs + s.sampleMs);
    if (lost) throw lost;
    return started.map(({ run }) => run);
  } finally {
    clearInterval(timer);
    await Promise.all(started.map(({ proc }) => proc.close()));
  }
}

/** Runs the rounds; says a line per round. */
export async function measureIdle(
  s: IdleSettings,
  hostNetns: string,
  logLevel: string,
  say: (line: string) => void,
): Promise<IdleRun[]> {
  const runs: IdleRun[] = [];
  for (let round = 0; round < s.rounds; round++) {
    const done = await runRound(round, s, hostNetns, logLevel);
    runs.push(...done);
    const last = (side: IdleSide) =>
      done
        .find((r) => r.side === side)!
        .timeline.at(-1)!
        .rssMiB.toFixed(1);
    say(
      `  round ${round + 1}/${s.rounds}: RSS after ${s.settleMs / 1000} s: ${IDLE_SIDES.map((d) => `${d} ${last(d)} MiB`).join(', ')}`,
    );
  }
  return runs;
}
