/**
 * Part 3, a whole host at once: each round attaches `endpoints` fresh containers three ways, one after
 * the other: one Apply of the whole spec, the CNI plugin's ADDs with `parallel` in flight, and the
 * `ip -batch` floor; Apply and the floor then detach them all again (one Apply of the empty spec; one
 * `ip link del` per container), timed too. The side going first rotates from round to round, so that
 * none always runs on a fresher machine. Before a side its containers are made; after it every attach
 * and every detach is checked, and the containers are removed, so each side starts from the same
 * state: an agent holding nothing.
 */
import { Attachment, planAttachments } from '../attach/attachmentPlan';
import { cniAdd } from '../attach/cniMacvlan';
import { readTreeCpuMs } from '../attach/processCpu';
import { runPool } from '../attach/runPool';
import { verifyAttachments } from '../attach/verifyAttachments';
import { addNamespaces, deleteNamespaces } from '../shared/benchNamespaces';
import { ApplySide } from './applySide';
import { ipBatchAttach, ipDetach } from './ipFloor';
import { verifyDetached } from './verifyDetached';

export interface ApplyPhaseOptions {
  endpoints: number;
  parallel: number;
  rounds: number;
}

export const SIDES = ['Apply', 'CNI', 'ip -batch'] as const;
export type Side = (typeof SIDES)[number];

/** The sides that also detach, timed. */
export type DetachSide = Exclude<Side, 'CNI'>;

/** Per side, in ms: wall and CPU time of the attach, wall time of the detach; what ran, in order. */
export interface ApplyPhaseResult {
  wall: Record<Side, number[]>;
  cpu: Record<Side, number[]>;
  detach: Record<DetachSide, number[]>;
  order: string[];
}

/** Address blocks (attach/attachmentPlan.ts): parts 1 and 2 use 1–29 and 130–149; these are part 3's. */
const FIRST_BLOCK: Record<Side, number> = { Apply: 150, CNI: 175, 'ip -batch': 200 };
const WARMUP_BLOCK = 230;
const TAG: Record<Side, string> = { Apply: 'a', CNI: 'n', 'ip -batch': 'b' };

async function attach(side: Side, apply: ApplySide, batch: Attachment[], parallel: number): Promise<number> {
  if (side === 'Apply') return apply.apply(batch);
  if (side === 'CNI') return runPool(batch, parallel, cniAdd);
  return ipBatchAttach(batch, parallel);
}

async function detach(side: DetachSide, apply: ApplySide, batch: Attachment[], parallel: number) {
  const ms = side === 'Apply' ? await apply.clear(batch.length) : await ipDetach(batch, parallel);
  await verifyDetached(side, batch);
  const left = side === 'Apply' ? await apply.countEndpoints() : 0;
  if (left !== 0) throw new Error(`the agent still holds ${left} endpoints after the empty spec`);
  return ms;
}

/**
 * One side on fresh containers, checked and cleaned up afterwards: its wall time, the CPU time of this
 * process's tree meanwhile (the client and the agent; or the plugin's or ip's processes), and but for
 * CNI the time it takes to detach them all again.
 */
export async function runSide(side: Side, apply: ApplySide, batch: Attachment[], parallel: number) {
  const containers = batch.map((a) => a.container);
  await addNamespaces(containers);
  try {
    const cpuBefore = readTreeCpuMs();
    const wallMs = await attach(side, apply, batch, parallel);
    const cpuMs = readTreeCpuMs() - cpuBefore;
    await verifyAttachments(side, batch);
    const detachMs = side === 'CNI' ? undefined : await detach(side, apply, batch, parallel);
    return { wallMs, cpuMs, detachMs };
  } finally {
    await deleteNamespaces(containers);
  }
}

/**
 * Runs every side `rounds` times, rotating, after one uncounted round of each with a few endpoints
 * (the agent's code warm, as in an agent that has been up a while; the plugin's and ip's binaries in
 * the page cache).
 */
export async function measureApply(apply: ApplySide, o: ApplyPhaseOptions): Promise<ApplyPhaseResult> {
  const result: ApplyPhaseResult = {
    wall: { Apply: [], CNI: [], 'ip -batch': [] },
    cpu: { Apply: [], CNI: [], 'ip -batch': [] },
    detach: { Apply: [], 'ip -batch': [] },
    order: [],
  };
  const warmup = Math.min(o.endpoints, o.parallel * 4);
  for (const [i, side] of SIDES.entries())
    await runSide(side, apply, planAttachments(`w${TAG[side]}`, WARMUP_BLOCK + i, warmup), o.parallel);
  for (let round = 0; round < o.rounds; round++) {
    const sides = SIDES.map((_, i) => SIDES[(round + i) % SIDES.length]);
    for (const side of sides) {
      const block = FIRST_BLOCK[side] + round;
      const batch = planAttachments(`${TAG[side]}${round}`, block, o.endpoints);
      const { wallMs, cpuMs, detachMs } = await runSide(side, apply, batch, o.parallel);
      result.wall[side].push(wallMs);
      result.cpu[side].push(cpuMs);
      if (side !== 'CNI') result.detach[side].push(detachMs!);
      const also = side === 'CNI' ? '' : `, detach ${(detachMs! / 1000).toFixed(2)} s`;
      result.order.push(`${side} #${round + 1}: ${(wallMs / 1000).toFixed(2)} s${also}`);
    }
  }
  return result;
}
