/**
 * Part 2, many endpoints: each run attaches `endpoints` fresh containers with `parallel` attaches in
 * flight (mvnet: that many CreateEndpoint calls at once through one SDK client; CNI: that many ADD
 * processes at once), timed from the first start to the last end. The sides take turns, and the one
 * that goes first alternates (mvnet, CNI, CNI, mvnet, mvnet, CNI...), so that neither always runs
 * on a fresher machine. Before a run its containers are made; after it every attach is checked, the
 * containers removed and mvnet's endpoints forgotten, so each run starts from the same state.
 */
import { Attachment, planAttachments } from './attachmentPlan';
import { addNamespaces, deleteNamespaces } from '../shared/benchNamespaces';
import { cniAdd } from './cniMacvlan';
import { MvnetSide } from './mvnetSide';
import { readTreeCpuMs } from './processCpu';
import { runPool } from './runPool';
import { verifyAttachments } from './verifyAttachments';

export interface BulkAttachOptions {
  endpoints: number;
  parallel: number;
  runs: number;
}

/** Wall times of the runs and the CPU time they used, in ms, per side; what ran, in order. */
export interface BulkAttachResult {
  mvnet: number[];
  cni: number[];
  mvnetCpu: number[];
  cniCpu: number[];
  order: string[];
}

type Side = 'mvnet' | 'CNI';

/**
 * One timed run of one side on fresh containers, checked and cleaned up afterwards; its wall time,
 * and the CPU time of this process's tree meanwhile (the SDK client and the agent with its ip
 * processes, or the CNI processes).
 */
async function runOnce(side: Side, mvnet: MvnetSide, batch: Attachment[], parallel: number) {
  const attach = side === 'mvnet' ? (a: Attachment) => mvnet.attach(a) : cniAdd;
  await addNamespaces(batch.map((a) => a.container));
  let wallMs: number;
  let cpuMs: number;
  try {
    const cpuBefore = readTreeCpuMs();
    wallMs = await runPool(batch, parallel, attach);
    cpuMs = readTreeCpuMs() - cpuBefore;
    await verifyAttachments(side, batch);
  } finally {
    await deleteNamespaces(batch.map((a) => a.container));
  }
  if (side === 'mvnet') {
    await runPool(batch, parallel, (a) => mvnet.forget(a));
    const left = await mvnet.countEndpoints();
    if (left !== 0) throw new Error(`mvnet still holds ${left} endpoints after a run`);
  }
  return { wallMs, cpuMs };
}

/**
 * Runs both sides `runs` times each, interleaved, after one uncounted run of each with a few
 * endpoints (the agent's code paths for concurrent calls warm, as in an agent that has been up a while;
 * the plugin's binaries in the page cache); returns their wall times.
 */
export async function measureBulkAttach(mvnet: MvnetSide, o: BulkAttachOptions): Promise<BulkAttachResult> {
  const result: BulkAttachResult = { mvnet: [], cni: [], mvnetCpu: [], cniCpu: [], order: [] };
  const warmup = Math.min(o.endpoints, o.parallel * 4);
  await runOnce('mvnet', mvnet, planAttachments('mw', 8, warmup), o.parallel);
  await runOnce('CNI', mvnet, planAttachments('cw', 9, warmup), o.parallel);
  for (let run = 0; run < o.runs; run++) {
    const sides: Side[] = run % 2 === 0 ? ['mvnet', 'CNI'] : ['CNI', 'mvnet'];
    for (const side of sides) {
      // Blocks 10–129 for mvnet, 130–249 for CNI (8 and 9 for the warm-up): every run gets addresses of its own.
      const block = (side === 'mvnet' ? 10 : 130) + run;
      const batch = planAttachments(`${side === 'mvnet' ? 'm' : 'c'}${run}`, block, o.endpoints);
      const { wallMs, cpuMs } = await runOnce(side, mvnet, batch, o.parallel);
      (side === 'mvnet' ? result.mvnet : result.cni).push(wallMs);
      (side === 'mvnet' ? result.mvnetCpu : result.cniCpu).push(cpuMs);
      result.order.push(`${side} #${run + 1}: ${(wallMs / 1000).toFixed(2)} s`);
    }
  }
  return result;
}
