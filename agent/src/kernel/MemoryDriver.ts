import {
  CreateDummyOptions,
  CreateMacvlanOptions,
  CreateVlanOptions,
  KernelCapabilities,
  KernelError,
  LinkDriver,
  LinkInfo,
} from './LinkDriver';

/** A link that exists from the start (or appears behind the driver's back). Up, unless told otherwise. */
export type MemoryLinkSeed = Partial<LinkInfo> & { name: string };

export interface MemoryDriverOptions {
  /** E.g. `[{ name: 'eth0', kind: '', mtu: 1500 }]`. */
  links?: MemoryLinkSeed[];
  /** What the pretend kernel supports; everything unless told otherwise. */
  capabilities?: Partial<KernelCapabilities>;
}

type DriverMethod = Exclude<keyof LinkDriver, 'close'>;

const ALL_CAPABILITIES: KernelCapabilities = {
  vlan8021q: true,
  macvlan: true,
  dummy: true,
  bonding: true,
  vlanFilteringBridge: true,
};

// What iproute2 6.1 prints, and exits with, for each refusal; the contract suite checks they match.
const EEXIST = 'RTNETLINK answers: File exists';
const EINVAL = 'RTNETLINK answers: Invalid argument';
const EADDRNOTAVAIL = 'RTNETLINK answers: Cannot assign requested address';
const UNKNOWN_TYPE = 'Error: Unknown device type.';
const MTU_TOO_SMALL = 'Error: mtu less than device minimum.';
const VLAN_ID_TAKEN = 'Error: 8021q: VLAN device already exists.';
const noDevice = (name: string) => `Cannot find device "${name}"`;
const badArgument = (value: string, why: string) => `Error: argument "${value}" is wrong: ${why}`;

function refuse(action: string, stderr: string, exitCode = 2): KernelError {
  const short = stderr.replace(/^(Error: |RTNETLINK answers: )/, '');
  return new KernelError(`cannot ${action}: ${short}`, [], exitCode, stderr);
}

function randomMac(): string {
  const bytes = Array.from({ length: 6 }, () => Math.floor(Math.random() * 256));
  bytes[0] = (bytes[0] & 0xfe) | 0x02; // unicast, locally administered, as eth_hw_addr_random()
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

interface NewLink {
  action: string;
  name: string;
  kind: 'vlan' | 'macvlan' | 'dummy';
  alias: string;
  parent?: string;
  mtu?: number;
  mac?: string;
}

/**
 * An in-memory kernel for domain tests, refusing what the real one refuses with the same KernelError
 * messages (the contract suite runs against both). Test helpers change it behind the agent's back.
 */
export class MemoryDriver implements LinkDriver {
  /** The changes made through the driver, in order (`createMacvlan mv0`), for tests to assert on. */
  readonly changes: string[] = [];
  private readonly links = new Map<string, LinkInfo>();
  private readonly capabilities: KernelCapabilities;
  private readonly failures = new Map<DriverMethod, string>();
  private nextIndex = 1;

  constructor(opts: MemoryDriverOptions = {}) {
    this.capabilities = { ...ALL_CAPABILITIES, ...opts.capabilities };
    for (const seed of opts.links ?? []) this.addLinkBehindBack(seed);
  }

  async listLinks(): Promise<LinkInfo[]> {
    this.failIfInjected('listLinks', 'list links');
    return [...this.links.values()].sort((a, b) => a.index - b.index).map((l) => ({ ...l }));
  }

  async getLink(name: string): Promise<LinkInfo | undefined> {
    this.failIfInjected('getLink', `read link ${name}`);
    const link = this.links.get(name);
    return link && { ...link };
  }

  async createVlan(o: CreateVlanOptions): Promise<void> {
    const action = `create vlan ${o.name}`;
    this.failIfInjected('createVlan', action);
    if (!Number.isInteger(o.vlanId) || o.vlanId < 1 || o.vlanId > 4094) {
      throw new KernelError(`cannot ${action}: vlan id ${o.vlanId} is outside 1..4094`);
    }
    const parent = this.checkNewLink({ action, kind: 'vlan', ...o });
    const sameId = [...this.links.values()].find((l) => l.parent === o.parent && l.vlanId === o.vlanId);
    if (sameId) throw refuse(action, VLAN_ID_TAKEN);
    this.insert({ action, kind: 'vlan', ...o }, parent, { vlanId: o.vlanId });
  }

  async createDummy(o: CreateDummyOptions): Promise<void> {
    const action = `create dummy ${o.name}`;
    this.failIfInjected('createDummy', action);
    this.checkNewLink({ action, kind: 'dummy', ...o });
    this.insert({ action, kind: 'dummy', ...o }, undefined, {});
  }

  async createMacvlan(o: CreateMacvlanOptions): Promise<void> {
    const action = `create macvlan ${o.name}`;
    this.failIfInjected('createMacvlan', action);
    const spec: NewLink = { action, kind: 'macvlan', ...o };
    let parent = this.checkNewLink(spec);
    // A macvlan on a macvlan lands on the lower's own lower, as the kernel does.
    if (parent?.kind === 'macvlan' && parent.parent) parent = this.links.get(parent.parent);
    const siblings = [...this.links.values()].filter(
      (l) => l.kind === 'macvlan' && l.parent === parent?.name,
    );
    // passthru takes the lower for itself: it must be alone there, and stays alone.
    const passthruClash =
      o.mode === 'passthru' ? siblings.length > 0 : siblings.some((l) => l.macvlanMode === 'passthru');
    if (passthruClash) throw refuse(action, EINVAL);
    this.insert({ ...spec, parent: parent?.name }, parent, { macvlanMode: o.mode });
  }

  async deleteLink(name: string): Promise<void> {
    this.failIfInjected('deleteLink', `delete link ${name}`);
    if (this.links.has(name)) {
      this.removeLinkBehindBack(name);
      this.changes.push(`deleteLink ${name}`);
    }
  }

  async setLinkUp(name: string): Promise<void> {
    const link = this.existing('setLinkUp', `set link ${name} up`, name);
    if (!link.adminUp) {
      link.adminUp = true;
      this.refreshOperState(link);
    }
    this.changes.push(`setLinkUp ${name}`);
  }

  async setPromiscuous(name: string, on: boolean): Promise<void> {
    this.existing('setPromiscuous', `set promiscuous mode of ${name}`, name).promiscuous = on;
    this.changes.push(`setPromiscuous ${name} ${on ? 'on' : 'off'}`);
  }

  async probeCapabilities(): Promise<KernelCapabilities> {
    this.failIfInjected('probeCapabilities', 'probe kernel capabilities');
    return { ...this.capabilities };
  }

  async close(): Promise<void> {}

  /** Test helper: a link appears as if somebody else made it (no checks beyond a free name). */
  addLinkBehindBack(seed: MemoryLinkSeed): void {
    if (this.links.has(seed.name)) throw new Error(`MemoryDriver: link ${seed.name} exists`);
    const adminUp = seed.adminUp ?? true;
    const defaults = { index: this.nextIndex++, kind: '', mtu: 1500, mac: randomMac(), promiscuous: false };
    this.links.set(seed.name, { ...defaults, adminUp, operState: adminUp ? 'UP' : 'DOWN', ...seed });
  }

  /** Test helper: a link disappears behind the driver's back, with the links stacked on it. */
  removeLinkBehindBack(name: string): void {
    this.links.delete(name);
    for (const link of [...this.links.values()]) {
      if (link.parent === name) this.removeLinkBehindBack(link.name);
      if (link.master === name) delete link.master;
    }
  }

  /** Test helper: the kernel reports a new operstate (a cable pulled: "DOWN"); stacked links follow. */
  setOperState(name: string, operState: string): void {
    const link = this.links.get(name);
    if (!link) throw new Error(`MemoryDriver: no link ${name}`);
    link.operState = operState;
    this.refreshStacked(name);
  }

  /** Test helper: the next call of `method` fails as iproute2 would with this stderr line. */
  failNext(method: DriverMethod, stderr = 'RTNETLINK answers: No buffer space available'): void {
    this.failures.set(method, stderr);
  }

  private failIfInjected(method: DriverMethod, action: string): void {
    const stderr = this.failures.get(method);
    if (stderr === undefined) return;
    this.failures.delete(method);
    throw refuse(action, stderr);
  }

  private existing(method: DriverMethod, action: string, name: string): LinkInfo {
    this.failIfInjected(method, action);
    const link = this.links.get(name);
    if (!link) throw refuse(action, noDevice(name), 1);
    return link;
  }

  /**
   * The checks every `ip link add` goes through, in the order ip and the kernel make them: ip's own
   * argument checks and its lookup of the parent, then the kernel's name, kind and MTU checks.
   * Returns the parent.
   */
  private checkNewLink(o: NewLink): LinkInfo | undefined {
    const { action, name, mtu, mac } = o;
    if (name === '' || Buffer.byteLength(name) > 15 || /[/\s]/.test(name)) {
      throw refuse(action, badArgument(name, '"name" not a valid ifname'), 255);
    }
    if (mtu !== undefined && (!Number.isInteger(mtu) || mtu < 0)) {
      throw refuse(action, badArgument(String(mtu), 'Invalid "mtu" value'), 255);
    }
    if (mac !== undefined && !/^([0-9a-f]{1,2}:){5}[0-9a-f]{1,2}$/i.test(mac)) {
      throw refuse(action, `"${mac}" is invalid lladdr.`, 1);
    }
    const parent = o.parent === undefined ? undefined : this.links.get(o.parent);
    if (o.parent !== undefined && !parent) throw refuse(action, noDevice(o.parent), 1);
    if (this.links.has(name)) throw refuse(action, EEXIST);
    if (!this.supports(o.kind)) throw refuse(action, UNKNOWN_TYPE);
    if (name === '.' || name === '..' || name.includes(':')) throw refuse(action, EINVAL);
    if (mtu !== undefined && o.kind !== 'dummy' && mtu < 68) throw refuse(action, MTU_TOO_SMALL);
    if (mtu !== undefined && parent && mtu > parent.mtu) throw refuse(action, EINVAL);
    if (mac !== undefined && !isUsableMac(mac)) throw refuse(action, EADDRNOTAVAIL);
    return parent;
  }

  private supports(kind: NewLink['kind']): boolean {
    if (kind === 'vlan') return this.capabilities.vlan8021q;
    return kind === 'dummy' ? this.capabilities.dummy : this.capabilities.macvlan;
  }

  private insert(o: NewLink, parent: LinkInfo | undefined, extra: Partial<LinkInfo>): void {
    // The real driver sets the alias after `link add`, and removes the half-made link when ip refuses it.
    if (Buffer.byteLength(o.alias) > 255) throw refuse(o.action, badArgument(o.alias, 'alias too long'), 255);
    const link: LinkInfo = {
      name: o.name,
      index: this.nextIndex++,
      kind: o.kind,
      mtu: o.mtu ?? parent?.mtu ?? 1500,
      adminUp: false,
      operState: 'DOWN',
      mac: o.mac?.toLowerCase() ?? randomMac(),
      promiscuous: false,
      ...extra,
    };
    if (parent) link.parent = parent.name;
    if (o.alias !== '') link.alias = o.alias; // an empty alias is no alias
    this.links.set(o.name, link);
    this.changes.push(`create${o.kind[0].toUpperCase()}${o.kind.slice(1)} ${o.name}`);
  }

  /** Stacked links take their carrier from the lower; a dummy has no carrier to report. */
  private refreshOperState(link: LinkInfo): void {
    const parent = link.parent === undefined ? undefined : this.links.get(link.parent);
    if (!link.adminUp) link.operState = 'DOWN';
    else if (link.kind === 'dummy') link.operState = 'UNKNOWN';
    else if (parent) link.operState = ['UP', 'UNKNOWN'].includes(parent.operState) ? 'UP' : 'LOWERLAYERDOWN';
    else link.operState = 'UP';
    this.refreshStacked(link.name);
  }

  private refreshStacked(name: string): void {
    for (const link of this.links.values()) if (link.parent === name) this.refreshOperState(link);
  }
}

/** The kernel refuses a multicast or all-zero address for a new link (is_valid_ether_addr). */
function isUsableMac(mac: string): boolean {
  const bytes = mac.split(':').map((b) => parseInt(b, 16));
  return (bytes[0] & 1) === 0 && bytes.some((b) => b !== 0);
}
