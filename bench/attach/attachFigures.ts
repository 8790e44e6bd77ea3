/**
 * The figures the benchmark reports, computed once from the raw timings, for the console table and
 * BENCHMARKS.md alike: summaries per side, the ratios, and whether each target is met.
 */
import { BulkAttachOptions, BulkAttachResult } from './bulkAttachPhase';
import { MachineFacts } from '../shared/machineFacts';
import { OneAttachResult } from './oneAttachPhase';
import { summarize, Summary } from '../shared/summarize';

/**
 * Part 1's target (issue 14): mvnet's median attach at most this fraction of CNI's without the nsenter
 * wrapper (what a runtime on a real host pays).
 */
export const ONE_ATTACH_TARGET = 0.25;
/** Part 1's target for the SDK: its empty call's median at most this many times the bare grpc-js floor's. */
export const SDK_FLOOR_TARGET = 1.5;
/** Part 2's target: mvnet at least this many times faster than CNI for the whole batch. */
export const BULK_TARGET = 10;

export interface AttachSettings extends BulkAttachOptions {
  iterations: number;
  warmup: number;
  agentLogLevel: string;
}

export interface AttachFigures {
  date: string;
  machine: MachineFacts;
  settings: AttachSettings;
  elapsedS: number;
  one: {
    mvnet: Summary;
    cni: Summary;
    plainIp: Summary;
    wrapper: Summary;
    /** The SDK's empty call to the agent (checkHealth): the transport's share of an attach. */
    ping: Summary;
    /** An empty unary call on bare grpc-js: the transport's floor. */
    floor: Summary;
    /** The SDK's empty call's median / the floor's. */
    sdkOverFloor: number;
    sdkMet: boolean;
    agentHost?: Summary;
    agentKernel?: Summary;
    /** mvnet's median / CNI's median. */
    ratio: number;
    /** mvnet's median / (CNI's median − the wrapper's median): against a runtime that needs no nsenter. */
    ratioWithoutWrapper: number;
    met: boolean;
  };
  bulk: {
    /** Wall times in ms. */
    mvnet: Summary;
    cni: Summary;
    /** CPU time per endpoint, in ms: the whole process tree (client, agent and its ip; or CNI's processes). */
    mvnetCpuPerEndpoint: Summary;
    cniCpuPerEndpoint: Summary;
    order: string[];
    /** CNI's median wall time / mvnet's. */
    speedup: number;
    met: boolean;
  };
}

function summarizeIfAny(samples: number[]): Summary | undefined {
  return samples.length > 0 ? summarize(samples) : undefined;
}

/** Computes the figures of a finished run. */
export function computeAttachFigures(args: {
  machine: MachineFacts;
  settings: AttachSettings;
  elapsedS: number;
  one: OneAttachResult;
  bulk: BulkAttachResult;
}): AttachFigures {
  const { one, bulk } = args;
  const mvnet = summarize(one.mvnet);
  const cni = summarize(one.cni);
  const wrapper = summarize(one.wrapper);
  const ratio = mvnet.median / cni.median;
  const ratioWithoutWrapper = mvnet.median / (cni.median - wrapper.median);
  const ping = summarize(one.ping);
  const floor = summarize(one.floor);
  const bulkMvnet = summarize(bulk.mvnet);
  const bulkCni = summarize(bulk.cni);
  const speedup = bulkCni.median / bulkMvnet.median;
  const perEndpoint = (cpu: number[]) => summarize(cpu.map((ms) => ms / args.settings.endpoints));
  return {
    date: new Date().toISOString(),
    machine: args.machine,
    settings: args.settings,
    elapsedS: args.elapsedS,
    one: {
      mvnet,
      cni,
      plainIp: summarize(one.plainIp),
      wrapper,
      ping,
      floor,
      sdkOverFloor: ping.median / floor.median,
      sdkMet: ping.median / floor.median <= SDK_FLOOR_TARGET,
      agentHost: summarizeIfAny(one.agentHost),
      agentKernel: summarizeIfAny(one.agentKernel),
      ratio,
      ratioWithoutWrapper,
      met: ratioWithoutWrapper <= ONE_ATTACH_TARGET,
    },
    bulk: {
      mvnet: bulkMvnet,
      cni: bulkCni,
      mvnetCpuPerEndpoint: perEndpoint(bulk.mvnetCpu),
      cniCpuPerEndpoint: perEndpoint(bulk.cniCpu),
      order: bulk.order,
      speedup,
      met: speedup >= BULK_TARGET,
    },
  };
}

/** Endpoints per second of a batch that took `wallMs`. */
export function endpointsPerSecond(f: AttachFigures, wallMs: number): number {
  return f.settings.endpoints / (wallMs / 1000);
}
