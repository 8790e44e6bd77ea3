import type { HostFacts } from '../app/HostService';
import { isMvnetMark } from '../domain/marks';
import type { KernelCapabilities, LinkInfo } from '../domain/ports/LinkDriver';
import {
  LinkOwner,
  type Host,
  type Interface,
  type KernelCapabilities as CapabilitiesMessage,
} from '../../../proto/gen/mvnet/v1/host';

/** A host, its facts and its links, as the wire Host. */
export function hostToMessage(facts: HostFacts, links: LinkInfo[]): Host {
  return {
    hostname: facts.hostname,
    version: facts.version,
    bootId: facts.bootId,
    kernelRelease: facts.kernelRelease,
    netns: facts.netns,
    capabilities: capabilitiesToMessage(facts.capabilities),
    interfaces: links.map(interfaceToMessage),
  };
}

function capabilitiesToMessage(c: KernelCapabilities): CapabilitiesMessage {
  return {
    vlan8021q: c.vlan8021q,
    macvlan: c.macvlan,
    dummy: c.dummy,
    bonding: c.bonding,
    vlanFilteringBridge: c.vlanFilteringBridge,
  };
}

function interfaceToMessage(link: LinkInfo): Interface {
  return {
    name: link.name,
    kind: link.kind,
    mtu: link.mtu,
    state: link.operState,
    adminUp: link.adminUp,
    macAddress: link.mac,
    vlanId: link.vlanId ?? 0,
    parent: link.parent ?? link.master ?? '',
    owner: isMvnetMark(link.alias) ? LinkOwner.LINK_OWNER_MVNET : LinkOwner.LINK_OWNER_FOREIGN,
    alias: link.alias ?? '',
    promiscuous: link.promiscuous,
  };
}
