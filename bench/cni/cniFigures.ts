/**
 * The CNI benchmark's figures, computed once from the raw timings for the console and BENCHMARKS.md
 * alike: a summary per side, the plugin's own cost against issue 16's budget, and the ratio to the CNI
 * macvlan plugin.
 */
import type { MachineFacts } from '../shared/machineFacts';
import { summarize, type Summary } from '../shared/summarize';
import { SIDES, type CniAddResult, type Side } from './cniAddPhase';

/** Issue 16: mvnet-cni's ADD minus an empty `node` start minus the agent's CreateEndpoint, at most this (ms). */
export const OWN_COST_BUDGET_MS = 10;

export interface CniSettings {
  iterations: number;
  warmup: number;
  agentLogLevel: string;
}

export interface CniFigures {
  date: string;
  machine: MachineFacts;
  settings: CniSettings;
  elapsedS: number;
  /** Which `node` the plugins' shebang found, and its version. */
  node: string;
  sides: Record<Side, Summary>;
  /** mvnet-cni ADD − empty node − CreateEndpoint, from the medians (the verdict's figure). */
  ownCost: number;
  /** The same, per iteration (the three measured back to back), then its median: a check on the first. */
  ownCostPaired: Summary;
  /** mvnet-cni VERSION − empty node (medians): loading the plugin's modules, no agent. */
  loading: number;
  met: boolean;
  /** mvnet-cni ADD / CNI macvlan ADD (medians), both through nsenter. */
  ratio: number;
  /** The same with the wrapper's median taken off both: a runtime exec'ing them in the root netns. */
  ratioWithoutWrapper: number;
}

/** Computes the figures of a finished run. */
export function computeCniFigures(args: {
  machine: MachineFacts;
  settings: CniSettings;
  elapsedS: number;
  node: string;
  result: CniAddResult;
}): CniFigures {
  const r = args.result;
  const sides = Object.fromEntries(SIDES.map((s) => [s, summarize(r[s])])) as Record<Side, Summary>;
  const med = (s: Side) => sides[s].median;
  const ownCost = med('mvnetCni') - med('emptyNode') - med('createEndpoint');
  const w = med('wrapper');
  return {
    date: new Date().toISOString(),
    machine: args.machine,
    settings: args.settings,
    elapsedS: args.elapsedS,
    node: args.node,
    sides,
    ownCost,
    ownCostPaired: summarize(r.mvnetCni.map((m, i) => m - r.emptyNode[i] - r.createEndpoint[i])),
    loading: med('version') - med('emptyNode'),
    met: ownCost <= OWN_COST_BUDGET_MS,
    ratio: med('mvnetCni') / med('macvlan'),
    ratioWithoutWrapper: (med('mvnetCni') - w) / (med('macvlan') - w),
  };
}
