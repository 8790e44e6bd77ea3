/**
 * Part 1, one attach at a time: each iteration attaches one fresh container with mvnet (one
 * CreateEndpoint through the SDK), then one with the CNI plugin (one ADD process), then one with plain
 * `ip` processes, then times the CNI wrapper alone, the SDK's empty call to the agent and an empty call
 * on bare grpc-js (the transport's floor), so that every side sees the same machine load.
 * The first `warmup` iterations are not counted (JIT, page cache). Containers are made before the
 * phase and removed after it, with mvnet's endpoints; the attaches are then checked (none of it timed).
 */
import { Attachment, planAttachments } from './attachmentPlan';
import { addNamespaces, deleteNamespaces } from '../shared/benchNamespaces';
import { cniAdd, measureWrapper } from './cniMacvlan';
import { MvnetSide } from './mvnetSide';
import { plainIpAttach } from './plainIpAttach';
import { RawGrpcFloor } from './RawGrpcFloor';
import { runPool } from './runPool';
import { verifyAttachments } from './verifyAttachments';

/** Milliseconds per attach, per side; `agent*` are the agent's own account of mvnet's kernel work. */
export interface OneAttachResult {
  mvnet: number[];
  cni: number[];
  plainIp: number[];
  wrapper: number[];
  ping: number[];
  /** An empty unary call on bare grpc-js, client to server: the transport's floor. */
  floor: number[];
  agentHost: number[];
  agentKernel: number[];
}

/** The containers of the phase: one block of addresses per side. */
function planPhase(count: number) {
  return {
    mvnet: planAttachments('one-m', 1, count),
    cni: planAttachments('one-c', 2, count),
    plainIp: planAttachments('one-p', 3, count),
  };
}

type PhasePlan = ReturnType<typeof planPhase>;

/** Iteration `i`: one attach per side, in a fixed order, then the wrapper alone. */
async function runIteration(mvnet: MvnetSide, floor: RawGrpcFloor, plan: PhasePlan, i: number) {
  return {
    mvnet: await mvnet.attach(plan.mvnet[i]),
    cni: await cniAdd(plan.cni[i]),
    plainIp: await plainIpAttach(plan.plainIp[i]),
    wrapper: await measureWrapper(),
    ping: await mvnet.ping(),
    floor: await floor.call(),
  };
}

/** Runs the phase: `iterations` counted attaches per side after `warmup` uncounted ones. */
export async function measureOneAttach(
  mvnet: MvnetSide,
  iterations: number,
  warmup: number,
): Promise<OneAttachResult> {
  const plan = planPhase(warmup + iterations);
  const all: Attachment[] = [...plan.mvnet, ...plan.cni, ...plan.plainIp];
  const result: OneAttachResult = {
    mvnet: [],
    cni: [],
    plainIp: [],
    wrapper: [],
    ping: [],
    floor: [],
    agentHost: [],
    agentKernel: [],
  };
  await addNamespaces(all.map((a) => a.container));
  const floor = await RawGrpcFloor.start();
  try {
    for (let i = 0; i < warmup + iterations; i++) {
      const took = await runIteration(mvnet, floor, plan, i);
      if (i < warmup) continue;
      for (const side of ['mvnet', 'cni', 'plainIp', 'wrapper', 'ping', 'floor'] as const)
        result[side].push(took[side]);
    }
    await verifyAttachments('mvnet', plan.mvnet);
    await verifyAttachments('CNI', plan.cni);
    await verifyAttachments('plain ip', plan.plainIp);
  } finally {
    await floor.close();
    await deleteNamespaces(all.map((a) => a.container));
  }
  await runPool(plan.mvnet, 8, (a) => mvnet.forget(a));
  // Read last: a log line may come in after the reply to its call.
  for (const a of plan.mvnet.slice(warmup)) {
    const kernel = mvnet.kernelTiming(a.container);
    if (!kernel) continue;
    result.agentHost.push(kernel.hostMs);
    result.agentKernel.push(kernel.totalMs);
  }
  return result;
}
