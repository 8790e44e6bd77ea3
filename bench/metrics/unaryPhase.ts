/**
 * Phase 1, unary calls on both agents (each holding one network). One at a time: every iteration
 * times one ListNetworks on each agent, then one GetHost on each, the agent going first alternating
 * from one iteration to the next; the first `warmup` iterations are not counted. Then at concurrency
 * `concurrency`: `rounds` rounds in which each agent in turn (the first alternating) answers
 * `callsPerRound` calls, ListNetworks and GetHost alternating, `concurrency` of them in flight; each
 * round gives a throughput (calls over the wall time of the whole).
 */
import { runPool } from '../attach/runPool';
import type { MetricsAgents } from './openMetricsAgents';
import { SIDES, type Side } from './metricsLayout';
import { timeUnary, UNARY_METHODS, type UnaryMethod } from './unaryCall';

export interface UnarySettings {
  iterations: number;
  warmup: number;
  concurrency: number;
  rounds: number;
  callsPerRound: number;
}

export interface UnaryResult {
  /** ms per call, counted iterations only, by side and method. */
  serial: Record<Side, Record<UnaryMethod, number[]>>;
  /** Calls per second, one per round, by side. */
  throughput: Record<Side, number[]>;
}

/** The order of the sides in iteration (or round) `i`: which goes first alternates. */
export function sideOrder(i: number): Side[] {
  return SIDES.map((_, k) => SIDES[(i + k) % SIDES.length]);
}

const perMethod = () => Object.fromEntries(UNARY_METHODS.map((m) => [m, [] as number[]]));

async function measureSerial(agents: MetricsAgents, s: UnarySettings): Promise<UnaryResult['serial']> {
  const serial = { on: perMethod(), off: perMethod() } as UnaryResult['serial'];
  for (let i = 0; i < s.warmup + s.iterations; i++) {
    for (const method of UNARY_METHODS) {
      for (const side of sideOrder(i)) {
        const ms = await timeUnary(agents[side], method, 1);
        if (i >= s.warmup) serial[side][method].push(ms);
      }
    }
  }
  return serial;
}

async function measureThroughput(
  agents: MetricsAgents,
  s: UnarySettings,
): Promise<UnaryResult['throughput']> {
  const throughput: UnaryResult['throughput'] = { on: [], off: [] };
  const calls = Array.from({ length: s.callsPerRound }, (_, i) => UNARY_METHODS[i % UNARY_METHODS.length]);
  for (let round = 0; round < s.rounds; round++) {
    for (const side of sideOrder(round)) {
      const ms = await runPool(calls, s.concurrency, (method) => timeUnary(agents[side], method, 1));
      throughput[side].push(s.callsPerRound / (ms / 1000));
    }
  }
  return throughput;
}

/** Runs phase 1 on both agents. */
export async function measureUnary(agents: MetricsAgents, s: UnarySettings): Promise<UnaryResult> {
  const serial = await measureSerial(agents, s);
  const throughput = await measureThroughput(agents, s);
  return { serial, throughput };
}
