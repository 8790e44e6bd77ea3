/**
 * The networks' half of an Apply's plan: which network is created, changed in place, replaced, deleted
 * or kept, and the kernel ops of each, planned against the host's links as the earlier steps leave them.
 */
import type { EndpointRecord, HostAddressing, NetworkRecord, NetworkSpec } from '../model';
import type { KernelCapabilities, LinkInfo } from '../ports/LinkDriver';
import { planNetworkCreation, planNetworkRemoval } from '../planNetwork';
import type { NetworkCreation, NetworkRemoval, PlanAction, PlanStep } from './applyModel';
import { describeChanges, fieldChanges } from './describeChanges';
import { networkField } from './checkApplySpec';
import type { Problems } from './Problems';
import { SimulatedLinks } from './simulatedLinks';

export interface NetworkTargets {
  steps: PlanStep[];
  removals: NetworkRemoval[];
  creations: NetworkCreation[];
  updates: NetworkRecord[];
  deleted: NetworkRecord[];
  /** Every network the host has after the transition, by name. */
  target: Map<string, NetworkRecord>;
  /** The networks replaced: each of their endpoints is made again. */
  replaced: Set<string>;
}

export interface NetworkPlanContext {
  current: readonly NetworkRecord[];
  /** Endpoints outside Apply's scope: a network under them is neither deleted nor replaced. */
  outOfScope: readonly EndpointRecord[];
  links: ReadonlyMap<string, LinkInfo>;
  capabilities: KernelCapabilities;
  addressing: HostAddressing;
  hostId: string;
  problems: Problems;
  /**
   * A rollback: the networks come back as these records were; one whose links cannot be made now is
   * committed all the same (its status will say what is missing), never failing the rollback.
   */
  restoring?: ReadonlyMap<string, NetworkRecord>;
}

/** Changes a network takes in place: no link is involved. */
const IN_PLACE = /^(labels(\[|$)|subnets\[\d+\]\.(aux_addresses|ip_range)(\[|$))/;

export function planNetworks(desired: readonly NetworkSpec[], ctx: NetworkPlanContext): NetworkTargets {
  const current = new Map(ctx.current.map((n) => [n.spec.name, n]));
  const wanted = new Set(desired.map((n) => n.name));
  const result: NetworkTargets = {
    steps: [],
    removals: [],
    creations: [],
    updates: [],
    deleted: [],
    target: new Map(),
    replaced: new Set(),
  };
  const actions = new Map<string, { action: PlanAction; reason: string }>();
  for (const spec of desired) {
    const existing = current.get(spec.name);
    if (!existing) {
      actions.set(spec.name, { action: 'CREATE', reason: describeNew(spec) });
      continue;
    }
    const changes = fieldChanges(existing.spec, spec);
    if (changes.length === 0) {
      actions.set(spec.name, { action: 'KEEP', reason: 'as specified' });
      result.target.set(spec.name, existing);
    } else if (changes.every((c) => IN_PLACE.test(c.path))) {
      actions.set(spec.name, { action: 'UPDATE', reason: describeChanges(changes) });
      const updated = { spec, status: existing.status };
      result.updates.push(updated);
      result.target.set(spec.name, updated);
    } else {
      actions.set(spec.name, { action: 'REPLACE', reason: describeChanges(changes) });
      result.replaced.add(spec.name);
    }
  }
  for (const record of ctx.current) {
    if (wanted.has(record.spec.name)) continue;
    actions.set(record.spec.name, { action: 'DELETE', reason: 'not in the spec' });
    result.deleted.push(record);
  }
  checkOutOfScope(actions, desired, ctx);
  const links = new SimulatedLinks(ctx.links);
  planRemovals(result, ctx, links);
  planCreations(desired, actions, result, ctx, links);
  for (const [name, { action, reason }] of actions) {
    result.steps.push({ action, kind: 'network', name, network: name, reason });
  }
  return result;
}

/** A network under endpoints of another manager is neither deleted nor replaced by an Apply. */
function checkOutOfScope(
  actions: ReadonlyMap<string, { action: PlanAction }>,
  desired: readonly NetworkSpec[],
  ctx: NetworkPlanContext,
): void {
  for (const [name, { action }] of actions) {
    if (action !== 'DELETE' && action !== 'REPLACE') continue;
    const held = ctx.outOfScope.filter((e) => e.spec.network === name);
    if (held.length === 0) continue;
    const names = held.slice(0, 5).map((e) => `${e.spec.name} (${e.spec.labels['mvnet.io/managed-by']})`);
    const where =
      action === 'DELETE' ? `network ${name}` : networkField(desired.findIndex((n) => n.name === name));
    ctx.problems.precondition(
      `${where}: the Apply would ${action === 'DELETE' ? 'delete' : 'replace'} network ${name}, which holds endpoints another manager owns (mvnet.io/managed-by): ${names.join(', ')}${held.length > 5 ? ` and ${held.length - 5} more` : ''}; remove them through their manager first`,
    );
  }
}

/** The removals, in the host's order: each network's own ops, planned against those still there. */
function planRemovals(result: NetworkTargets, ctx: NetworkPlanContext, links: SimulatedLinks): void {
  const gone = new Set([...result.deleted.map((n) => n.spec.name), ...result.replaced]);
  let remaining = [...ctx.current];
  for (const record of ctx.current) {
    if (!gone.has(record.spec.name)) continue;
    remaining = remaining.filter((n) => n !== record);
    const ops = planNetworkRemoval(record, remaining);
    links.play(ops);
    result.removals.push({ record, ops });
  }
}

/** The creations, in the spec's order, each planned against the links and networks before it. */
function planCreations(
  desired: readonly NetworkSpec[],
  actions: ReadonlyMap<string, { action: PlanAction }>,
  result: NetworkTargets,
  ctx: NetworkPlanContext,
  links: SimulatedLinks,
): void {
  desired.forEach((spec, i) => {
    const action = actions.get(spec.name)!.action;
    if (action !== 'CREATE' && action !== 'REPLACE') return;
    const host = {
      links: links.view,
      capabilities: ctx.capabilities,
      networks: [...result.target.values()],
      addressing: ctx.addressing,
      hostId: ctx.hostId,
    };
    const before = ctx.restoring?.get(spec.name);
    let creation: NetworkCreation | undefined;
    try {
      const plan = planNetworkCreation(spec, host);
      const { ops, ...facts } = plan;
      creation = { record: { spec, status: { state: 'ready', message: '', ...facts, revision: 0 } }, ops };
    } catch (err) {
      if (!before) ctx.problems.record(networkField(i), err);
      else creation = { record: before, ops: [] };
    }
    if (!creation) return;
    links.play(creation.ops);
    result.creations.push(creation);
    result.target.set(spec.name, creation.record);
  });
}

function describeNew(spec: NetworkSpec): string {
  const on = spec.internal ? 'internal' : `on ${spec.parent}`;
  const subnets = spec.subnets.map((s) => s.cidr).join(', ');
  return subnets ? `new network ${on}, ${subnets}` : `new network ${on}`;
}
