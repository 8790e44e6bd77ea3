/**
 * The endpoints' half of an Apply's plan: each endpoint of the spec made concrete (addresses, interface
 * name, MAC: given, kept from the endpoint as it is, or picked), and what happens to it. An endpoint
 * keeps its lease and MAC unless the spec changes them or its network's new subnets no longer hold them.
 */
import { checkPassthruMac, deriveMac } from '../endpointMac';
import { getsDefaultRoute } from '../endpointLinks';
import { reserveAddress } from '../ipam';
import type { EndpointRecord, EndpointSpec, HostAddressing, NetworkRecord, NetnsRef } from '../model';
import { describeNetnsRef, netnsIdentity } from '../netnsIdentity';
import { nextFreeIfname } from '../planAttach';
import type { EndpointAttach, PlanAction, PlanStep } from './applyModel';
import { endpointField } from './checkApplySpec';
import { describeChanges, fieldChanges } from './describeChanges';
import type { NetworkTargets } from './planNetworks';
import type { Problems } from './Problems';
import { addressLeases, type TargetLeases } from './addressLeases';

export interface EndpointTargets {
  steps: PlanStep[];
  detach: EndpointRecord[];
  attach: EndpointAttach[];
  /** Endpoints committed without kernel work: changed in place, or replaced while their container is gone. */
  updates: EndpointRecord[];
  deleted: EndpointRecord[];
}

export interface EndpointPlanContext {
  /** The endpoints in Apply's scope now. */
  current: readonly EndpointRecord[];
  outOfScope: readonly EndpointRecord[];
  networks: NetworkTargets;
  hostId: string;
  addressing: HostAddressing;
  netnsExists: (ref: NetnsRef) => boolean;
  problems: Problems;
  /** A rollback: the endpoints come back as these records were (by network/name), statuses included. */
  restoring?: ReadonlyMap<string, EndpointRecord>;
}

const key = (spec: Pick<EndpointSpec, 'network' | 'name'>) => `${spec.network}/${spec.name}`;

/** The fields whose change takes a new link. */
const LINK_FIELDS = ['netns', 'ifname', 'ipv4Address', 'ipv6Address', 'macAddress'] as const;

export function planEndpoints(desired: readonly EndpointSpec[], ctx: EndpointPlanContext): EndpointTargets {
  const current = new Map(ctx.current.map((e) => [key(e.spec), e]));
  const foreign = new Set(ctx.outOfScope.map((e) => key(e.spec)));
  const result: EndpointTargets = { steps: [], detach: [], attach: [], updates: [], deleted: [] };
  const targets = new Map<
    number,
    { spec: EndpointSpec; network: NetworkRecord; existing?: EndpointRecord }
  >();
  desired.forEach((spec, j) => {
    const network = ctx.networks.target.get(spec.network);
    if (foreign.has(key(spec))) {
      ctx.problems.precondition(
        `${endpointField(j)}: endpoint ${spec.name} of network ${spec.network} is owned by another manager (mvnet.io/managed-by): Apply leaves it alone`,
      );
    } else if (network) {
      const checked = ctx.problems.collect(endpointField(j), () => {
        checkPassthruMac(network.spec.mode, spec.macAddress, spec.network);
        return true;
      });
      if (checked) targets.set(j, { spec, network, existing: current.get(key(spec)) });
    }
  });
  const leases = addressLeases(ctx.networks.target, ctx.outOfScope, ctx.addressing);
  assignAddresses(targets, leases, ctx.problems);
  assignIfnames(targets, ctx.outOfScope, ctx.problems);
  const wanted = new Set<string>();
  const made = [...targets.values()].map((t) => ({
    ...t,
    spec: {
      ...t.spec,
      macAddress:
        t.spec.macAddress ||
        t.existing?.spec.macAddress ||
        deriveMac(t.spec.network, t.spec.name, ctx.hostId),
    },
  }));
  const inNetns = byNetns([
    ...made.map((t) => ({ spec: t.spec, status: t.existing?.status ?? ready() })),
    ...ctx.outOfScope,
  ]);
  const isInternal = (name: string) => ctx.networks.target.get(name)?.spec.internal ?? false;
  for (const [j, t] of [...targets.keys()].map((j, i) => [j, made[i]] as const)) {
    wanted.add(key(t.spec));
    const restored = ctx.restoring?.get(key(t.spec));
    const { action, reason } = decide(t.spec, t.existing, ctx);
    result.steps.push({ action, kind: 'endpoint', name: t.spec.name, network: t.spec.network, reason });
    if (action === 'KEEP') continue;
    if (action === 'UPDATE') {
      result.updates.push({
        spec: { ...t.spec, netnsInstance: t.existing!.spec.netnsInstance },
        status: t.existing!.status,
      });
      continue;
    }
    if (t.existing) result.detach.push(t.existing);
    if (action === 'CREATE' && !ctx.netnsExists(t.spec.netnsRef) && !restored) {
      ctx.problems.precondition(
        `${endpointField(j)}.netns: network namespace ${describeNetnsRef(t.spec.netnsRef)} does not exist: start the container first`,
      );
      continue;
    }
    const spec = { ...t.spec, netnsInstance: restored?.spec.netnsInstance };
    // LOST as it was (a rollback keeps its message), or LOST now: its container is gone, whatever
    // the record being restored says.
    const wasLost = restored?.status.state === 'lost';
    if (wasLost || !ctx.netnsExists(t.spec.netnsRef)) {
      result.updates.push({ spec, status: wasLost ? restored!.status : lost(t.spec) });
      continue;
    }
    const withDefaultRoute =
      !t.network.spec.internal &&
      getsDefaultRoute(spec, inNetns.get(netnsIdentity(spec.netnsRef)) ?? [], isInternal);
    result.attach.push({ spec, withDefaultRoute, restore: restored !== undefined });
  }
  for (const record of ctx.current) {
    if (wanted.has(key(record.spec))) continue;
    const reason = ctx.networks.target.has(record.spec.network)
      ? 'not in the spec'
      : `network ${record.spec.network} is deleted`;
    result.steps.push({
      action: 'DELETE',
      kind: 'endpoint',
      name: record.spec.name,
      network: record.spec.network,
      reason,
    });
    result.detach.push(record);
    result.deleted.push(record);
  }
  return result;
}

/** What happens to one endpoint, and why. */
function decide(
  spec: EndpointSpec,
  existing: EndpointRecord | undefined,
  ctx: EndpointPlanContext,
): { action: PlanAction; reason: string } {
  if (!existing) return { action: 'CREATE', reason: describeNew(spec) };
  const linkChanges = fieldChanges(pick(existing.spec), pick(spec));
  if (ctx.networks.replaced.has(spec.network)) {
    const also = linkChanges.length > 0 ? `; ${describeChanges(linkChanges)}` : '';
    return { action: 'REPLACE', reason: `network ${spec.network} is replaced${also}` };
  }
  if (linkChanges.length > 0) return { action: 'REPLACE', reason: describeChanges(linkChanges) };
  // A rollback leaves a LOST endpoint LOST: it goes back only into the namespace it was in, which is gone.
  if (existing.status.state !== 'ready' && ctx.netnsExists(spec.netnsRef) && !ctx.restoring) {
    return { action: 'REPLACE', reason: `status: ${existing.status.state} → ready (attached again)` };
  }
  const labelChanges = fieldChanges({ labels: existing.spec.labels }, { labels: spec.labels });
  if (labelChanges.length > 0) return { action: 'UPDATE', reason: describeChanges(labelChanges) };
  return { action: 'KEEP', reason: 'as specified' };
}

/** The fields that take a new link, the netns by identity (`c1` and `/run/netns/c1` are one namespace). */
function pick(spec: EndpointSpec): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const f of LINK_FIELDS) fields[f] = f === 'netns' ? describeNetnsRef(spec.netnsRef) : spec[f];
  return fields;
}

/**
 * Addresses in three passes: those the spec gives (checked, as CreateEndpoint checks them), those an
 * endpoint already holds and may keep, then the rest picked from the pools, in the spec's order.
 */
function assignAddresses(
  targets: Map<number, { spec: EndpointSpec; network: NetworkRecord; existing?: EndpointRecord }>,
  leases: (network: string) => TargetLeases,
  problems: Problems,
): void {
  const families = [
    [4, 'ipv4Address', 'endpoint.ipv4_address'],
    [6, 'ipv6Address', 'endpoint.ipv6_address'],
  ] as const;
  const hold = (t: { spec: EndpointSpec }, field: 'ipv4Address' | 'ipv6Address', address: string) => {
    t.spec = { ...t.spec, [field]: address };
    if (address) leases(t.spec.network).hold(address, `endpoint ${t.spec.name}`);
  };
  for (const [j, t] of targets) {
    for (const [family, field, name] of families) {
      if (t.spec[field] === '') continue;
      const taken = problems.collect(endpointField(j), () =>
        reserveAddress(t.network.spec, family, t.spec[field], leases(t.spec.network), name),
      );
      if (taken !== undefined) hold(t, field, taken);
    }
  }
  const pending: [
    number,
    typeof targets extends Map<number, infer T> ? T : never,
    (typeof families)[number],
  ][] = [];
  for (const [j, t] of targets) {
    for (const entry of families) {
      const [family, field] = entry;
      if (t.spec[field] !== '') continue;
      const had = t.existing?.spec[field] ?? '';
      let kept: string | undefined;
      try {
        kept = had ? reserveAddress(t.network.spec, family, had, leases(t.spec.network), '') : undefined;
      } catch {
        kept = undefined; // the network's new subnets or reservations leave it out: a new one is picked
      }
      if (kept !== undefined) hold(t, field, kept);
      else pending.push([j, t, entry]);
    }
  }
  for (const [j, t, [family, field, name]] of pending) {
    const picked = problems.collect(endpointField(j), () =>
      reserveAddress(t.network.spec, family, '', leases(t.spec.network), name),
    );
    if (picked !== undefined) hold(t, field, picked);
  }
}

/**
 * Interface names in three passes, as addresses: those the spec gives (a name another manager's
 * endpoint has in that container is refused), those an endpoint has and may keep (same container, not
 * given to another), then the next free ethN among the container's target links.
 */
function assignIfnames(
  targets: Map<number, { spec: EndpointSpec; existing?: EndpointRecord }>,
  outOfScope: readonly EndpointRecord[],
  problems: Problems,
): void {
  const used = new Map<string, Map<string, string>>();
  const holderOf = (spec: EndpointSpec, ifname: string) =>
    used.get(netnsIdentity(spec.netnsRef))?.get(ifname);
  const take = (spec: EndpointSpec, ifname: string) => {
    const id = netnsIdentity(spec.netnsRef);
    if (!used.has(id)) used.set(id, new Map());
    used.get(id)!.set(ifname, `endpoint ${spec.name} of network ${spec.network}`);
  };
  for (const e of outOfScope) take(e.spec, e.spec.ifname);
  for (const [j, t] of targets) {
    if (t.spec.ifname === '') continue;
    const holder = holderOf(t.spec, t.spec.ifname);
    if (holder)
      problems.precondition(
        `${endpointField(j)}.ifname: ${t.spec.ifname} in ${t.spec.netns} is used by ${holder}`,
      );
    else take(t.spec, t.spec.ifname);
  }
  for (const t of targets.values()) {
    const had = t.existing?.spec;
    if (t.spec.ifname !== '' || !had || netnsIdentity(had.netnsRef) !== netnsIdentity(t.spec.netnsRef))
      continue;
    if (holderOf(t.spec, had.ifname) !== undefined) continue; // given to another: a new one is picked
    t.spec = { ...t.spec, ifname: had.ifname };
    take(t.spec, t.spec.ifname);
  }
  for (const t of targets.values()) {
    if (t.spec.ifname !== '') continue;
    t.spec = { ...t.spec, ifname: nextFreeIfname((n) => holderOf(t.spec, n) !== undefined) };
    take(t.spec, t.spec.ifname);
  }
}

function byNetns(records: readonly EndpointRecord[]): Map<string, EndpointRecord[]> {
  const map = new Map<string, EndpointRecord[]>();
  for (const r of records) {
    const id = netnsIdentity(r.spec.netnsRef);
    map.set(id, [...(map.get(id) ?? []), r]);
  }
  return map;
}

function describeNew(spec: EndpointSpec): string {
  const addresses = [spec.ipv4Address, spec.ipv6Address].filter(Boolean).join(', ');
  return `new endpoint in ${describeNetnsRef(spec.netnsRef)} as ${spec.ifname}${addresses ? `, ${addresses}` : ''}`;
}

const ready = () => ({ state: 'ready' as const, message: '', revision: 0 });

const lost = (spec: EndpointSpec) => ({
  state: 'lost' as const,
  message: `network namespace ${spec.netns} is gone; the lease is kept until the endpoint is deleted`,
  revision: 0,
});
