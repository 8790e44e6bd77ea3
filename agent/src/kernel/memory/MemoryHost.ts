import { checkNewLinkArguments } from '../linkArgumentChecks';
import { KernelCapabilities, LinkInfo, MacvlanMode } from '../../domain/ports/LinkDriver';
import { KernelError } from '../../domain/errors';
import { MemoryContainers } from './MemoryContainers';
import { MemoryNamespace } from './MemoryNamespace';
import * as refusals from './kernelRefusals';

/** A new link of the in-memory kernel, as the driver's create* calls (and an attach) ask for it. */
export interface NewMemoryLink {
  action: string;
  name: string;
  alias: string;
  parent?: string;
  mtu?: number;
  mac?: string;
}

type Kind = 'vlan' | 'macvlan' | 'dummy';

/**
 * The host namespace of the in-memory kernel: its links and what the kernel does to them on its own
 * (the checks of a new link, links going with their lower, carrier following the lower).
 */
export class MemoryHost extends MemoryNamespace {
  constructor(
    private readonly capabilities: KernelCapabilities,
    private readonly containers: MemoryContainers,
    private readonly nextIndex: () => number,
  ) {
    super();
  }

  newVlan(o: NewMemoryLink, vlanId: number): LinkInfo {
    if (!Number.isInteger(vlanId) || vlanId < 1 || vlanId > 4094) {
      throw new KernelError(`cannot ${o.action}: vlan id ${vlanId} is outside 1..4094`);
    }
    const parent = this.checkNewLink('vlan', o);
    const sameId = [...this.links.values()].find((l) => l.parent === o.parent && l.vlanId === vlanId);
    if (sameId) throw refusals.refuse(o.action, refusals.VLAN_ID_TAKEN);
    return this.insert('vlan', o, parent, { vlanId });
  }

  newDummy(o: NewMemoryLink): LinkInfo {
    this.checkNewLink('dummy', o);
    return this.insert('dummy', o, undefined, {});
  }

  /**
   * A macvlan on a macvlan lands on the lower's own lower, as in the kernel. Made `into` a container's
   * namespace (`ip link add ... netns X`), its name is checked there, and it shows no parent.
   */
  newMacvlan(o: NewMemoryLink, mode: MacvlanMode, into?: MemoryNamespace): LinkInfo {
    let parent = this.checkNewLink('macvlan', { ...o, mode }, into);
    if (parent?.kind === 'macvlan' && parent.parent) parent = this.links.get(parent.parent);
    const siblings = [
      ...[...this.links.values()].filter((l) => l.kind === 'macvlan' && l.parent === parent?.name),
      ...(parent ? this.containers.linksOn(parent) : []),
    ];
    // passthru takes the lower for itself: it must be alone there, and stays alone.
    const passthruClash =
      mode === 'passthru' ? siblings.length > 0 : siblings.some((l) => l.macvlanMode === 'passthru');
    if (passthruClash) throw refusals.refuse(o.action, refusals.EINVAL);
    // As the kernel does (macvlan_common_newlink): a passthru macvlan inherits its lower device's MAC.
    const mac = mode === 'passthru' && parent ? parent.mac : o.mac;
    const link = this.insert(
      'macvlan',
      { ...o, mac, parent: parent?.name },
      parent,
      { macvlanMode: mode },
      into,
    );
    if (into && parent) this.containers.adopt(into, link, parent);
    return link;
  }

  /** Removes a link with the links stacked on it, in this namespace and, moved, in containers'. */
  removeStack(name: string): void {
    const link = this.remove(name);
    if (link) this.containers.removeLinksOn(link);
    for (const other of [...this.links.values()]) {
      if (other.parent === name) this.removeStack(other.name);
      if (other.master === name) delete other.master;
    }
  }

  /** `ip link set up`; a macvlan must not bring up a MAC its lower already answers to. */
  setUp(action: string, link: LinkInfo): void {
    if (link.adminUp) return;
    const lower = link.parent === undefined ? undefined : this.links.get(link.parent);
    if (link.kind === 'macvlan' && lower && this.macBusy(lower, link))
      throw refusals.refuse(action, refusals.EADDRINUSE);
    link.adminUp = true;
    this.refreshOperState(link);
  }

  /** `ip link set down`: the links stacked on it lose their carrier. */
  setDown(link: LinkInfo): void {
    link.adminUp = false;
    this.refreshOperState(link);
  }

  /**
   * macvlan_addr_busy(): the MAC of a macvlan going up is the lower's own (unless passthru), or that of
   * another macvlan on the lower that is up, in any namespace.
   */
  macBusy(lower: LinkInfo, link: LinkInfo): boolean {
    if (link.macvlanMode !== 'passthru' && lower.mac === link.mac) return true;
    const siblings = [
      ...[...this.links.values()].filter((l) => l.kind === 'macvlan' && l.parent === lower.name),
      ...this.containers.linksOn(lower),
    ];
    return siblings.some((l) => l !== link && l.adminUp && l.mac === link.mac);
  }

  setOperState(link: LinkInfo, operState: string): void {
    link.operState = operState;
    this.refreshStacked(link);
  }

  /**
   * The checks every `ip link add` goes through, in the order the driver, ip and the kernel make them:
   * the driver's own argument checks (shared with the real driver), ip's lookup of the parent, then the kernel's name, kind and MTU checks. Returns the parent.
   */
  private checkNewLink(kind: Kind, o: NewMemoryLink & { mode?: string }, into: MemoryNamespace = this) {
    const { action, name, mtu, mac } = o;
    checkNewLinkArguments(action, o);
    const parent = o.parent === undefined ? undefined : this.links.get(o.parent);
    if (o.parent !== undefined && !parent) throw refusals.refuse(action, refusals.noDevice(o.parent), 1);
    if (into.links.has(name)) throw refusals.refuse(action, refusals.EEXIST);
    if (!this.supports(kind)) throw refusals.refuse(action, refusals.UNKNOWN_TYPE);
    if (name === '.' || name === '..' || name.includes(':')) throw refusals.refuse(action, refusals.EINVAL);
    if (mtu !== undefined && kind !== 'dummy' && mtu < 68)
      throw refusals.refuse(action, refusals.MTU_TOO_SMALL);
    if (mtu !== undefined && parent && mtu > parent.mtu) throw refusals.refuse(action, refusals.EINVAL);
    if (mac !== undefined && !refusals.isUsableMac(mac))
      throw refusals.refuse(action, refusals.EADDRNOTAVAIL);
    return parent;
  }

  private supports(kind: Kind): boolean {
    if (kind === 'vlan') return this.capabilities.vlan8021q;
    return kind === 'dummy' ? this.capabilities.dummy : this.capabilities.macvlan;
  }

  private insert(
    kind: Kind,
    o: NewMemoryLink,
    parent: LinkInfo | undefined,
    extra: Partial<LinkInfo>,
    into: MemoryNamespace = this,
  ): LinkInfo {
    const link: LinkInfo = {
      name: o.name,
      index: this.nextIndex(),
      kind,
      mtu: o.mtu ?? parent?.mtu ?? 1500,
      adminUp: false,
      operState: 'DOWN',
      mac: o.mac === undefined ? refusals.randomMac() : refusals.normalizeMac(o.mac),
      promiscuous: false,
      linkType: 'ether',
      ...extra,
    };
    if (parent && into === this) link.parent = parent.name;
    if (o.alias !== '') link.alias = o.alias; // an empty alias is no alias
    into.links.set(o.name, link);
    return link;
  }

  /** Stacked links take their carrier from the lower; a dummy has no carrier to report. */
  private refreshOperState(link: LinkInfo): void {
    const parent = link.parent === undefined ? undefined : this.links.get(link.parent);
    if (!link.adminUp) link.operState = 'DOWN';
    else if (link.kind === 'dummy') link.operState = 'UNKNOWN';
    else if (parent) link.operState = ['UP', 'UNKNOWN'].includes(parent.operState) ? 'UP' : 'LOWERLAYERDOWN';
    else link.operState = 'UP';
    this.refreshStacked(link);
  }

  private refreshStacked(lower: LinkInfo): void {
    for (const link of this.links.values()) if (link.parent === lower.name) this.refreshOperState(link);
    this.containers.refreshOperStates(lower);
  }
}
