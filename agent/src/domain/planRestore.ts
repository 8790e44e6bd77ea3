import type { KernelCapabilities, LinkInfo } from './ports/LinkDriver';
import type { LinkOp } from './linkOps';
import { isMvnetMark, markFor } from './marks';
import type { NetworkRecord } from './model';
import { splitSubInterface } from './normalizeNetwork';
import { hostRoute } from './ipam';
import { planShim } from './planNetwork';

/** One planned repair, with the network it is for (none for an orphan) and why. */
export interface RestoreStep {
  network?: string;
  reason: string;
  ops: LinkOp[];
}

/**
 * Plans what a (re)starting agent does so that the kernel matches its state: orphans (links with the
 * agent's mark that no network needs, e.g. left by a crash between kernel change and commit) are removed;
 * owned parent links that are missing (a reboot) are re-created, and set up when down; promiscuous mode
 * asked for is turned on again. Foreign links are never touched, and a missing parent NIC is not
 * "repaired": it shows in the network's status.
 */
export function planRestore(
  networks: readonly NetworkRecord[],
  links: ReadonlyMap<string, LinkInfo>,
  capabilities: KernelCapabilities,
  hostId: string,
  endpointAddresses: ReadonlyMap<string, string[]> = new Map(),
): RestoreStep[] {
  const needed = new Set(networks.filter((n) => n.status.parentLinkOwned).map((n) => n.status.parentLink));
  for (const n of networks) if (n.status.hostLink) needed.add(n.status.hostLink);
  const steps: RestoreStep[] = [...links.values()]
    .filter((link) => isMvnetMark(link.alias) && !needed.has(link.name))
    .map((link) => ({
      reason: `orphaned link ${link.name} (${link.alias}): removed`,
      ops: [{ op: 'delete', name: link.name }],
    }));
  const planned = new Set<string>();
  for (const network of networks) {
    const name = network.status.parentLink;
    if (planned.has(name)) continue;
    planned.add(name);
    const step = planParentRepair(network, links, capabilities);
    if (step) steps.push(step);
  }
  for (const network of networks) {
    const step = planShimRepair(network, links, hostId, endpointAddresses.get(network.spec.name) ?? []);
    if (step) steps.push(step);
  }
  return steps;
}

/** A missing host-access shim (after a reboot) is made again, with a route to every endpoint. */
function planShimRepair(
  network: NetworkRecord,
  links: ReadonlyMap<string, LinkInfo>,
  hostId: string,
  addresses: string[],
): RestoreStep | undefined {
  const { hostLink, hostAddresses, parentLink } = network.status;
  if (!hostLink) return undefined;
  const link = links.get(hostLink);
  if (link)
    return link.adminUp
      ? undefined
      : {
          network: network.spec.name,
          reason: `host-access shim ${hostLink} was down: set up`,
          ops: [{ op: 'setUp', name: hostLink }],
        };
  const routes = addresses.map((a): LinkOp => ({
    op: 'addRoute',
    destination: hostRoute(a),
    dev: hostLink,
  }));
  return {
    network: network.spec.name,
    reason: `host-access shim ${hostLink} was missing: re-created`,
    ops: [...planShim(network.spec.name, hostLink, parentLink, hostAddresses ?? [], hostId), ...routes],
  };
}

function planParentRepair(
  network: NetworkRecord,
  links: ReadonlyMap<string, LinkInfo>,
  capabilities: KernelCapabilities,
): RestoreStep | undefined {
  const { parentLink, parentLinkOwned } = network.status;
  const link = links.get(parentLink);
  const ops: LinkOp[] = [];
  let reason = '';
  if (!link && parentLinkOwned) {
    const created = planRecreate(network, links, capabilities);
    if (!created) return undefined;
    ops.push(...created, { op: 'setUp', name: parentLink });
    reason = `${parentLink} was missing: re-created`;
  } else if (link && parentLinkOwned && !link.adminUp && !lowerIsDown(link, links)) {
    ops.push({ op: 'setUp', name: parentLink });
    reason = `${parentLink} was down: set up`;
  }
  if (network.spec.promiscuous && (ops.length > 0 || (link && !link.promiscuous))) {
    ops.push({ op: 'setPromiscuous', name: parentLink, on: true });
    reason = reason ? `${reason}, promiscuous mode on` : `${parentLink} was not promiscuous: turned on`;
  }
  if (ops.length === 0) return undefined;
  return { network: network.spec.name, reason, ops };
}

/**
 * Whether a sub-interface's lower link is set down: the kernel took the sub-interface down with it,
 * and brings it up with it; setting it up meanwhile fails (ENETDOWN). The status names the lower.
 */
function lowerIsDown(link: LinkInfo, links: ReadonlyMap<string, LinkInfo>): boolean {
  const lower = link.parent === undefined ? undefined : links.get(link.parent);
  return lower !== undefined && !lower.adminUp;
}

function planRecreate(
  network: NetworkRecord,
  links: ReadonlyMap<string, LinkInfo>,
  capabilities: KernelCapabilities,
): LinkOp[] | undefined {
  const { parentLink } = network.status;
  const alias = markFor(network.spec.name);
  if (network.spec.internal) {
    return capabilities.dummy
      ? [{ op: 'createDummy', name: parentLink, alias, mtu: network.spec.mtu || undefined }]
      : undefined;
  }
  const sub = splitSubInterface(network.spec);
  if (!sub || !capabilities.vlan8021q || !links.has(sub.lower)) return undefined;
  return [{ op: 'createVlan', name: parentLink, parent: sub.lower, vlanId: sub.vlanId, alias }];
}
