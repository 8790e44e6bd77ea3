/**
 * A declarative lab topology: hosts (each a network namespace) whose NICs are veth pairs plugged into
 * the ports of one switch (a VLAN-filtering bridge in a namespace of its own), optional bonds of those
 * NICs, and a management network on which every host has an address the orchestrator (in the lab's
 * root namespace) reaches its agent at. buildTopology.ts makes it real.
 */

/** A switch port with one VLAN, untagged both ways (the VLAN is the port's pvid). */
export interface AccessPort {
  mode: 'access';
  vlan: number;
}

/**
 * A switch port carrying `vlans` tagged, and, when `native` is set, that VLAN untagged (its pvid):
 * a host sees tagged frames on its sub-interfaces (eth0.10) and untagged ones on the NIC itself.
 */
export interface TrunkPort {
  mode: 'trunk';
  vlans: number[];
  native?: number;
}

export type SwitchPort = AccessPort | TrunkPort;

/** A NIC of a host: a veth whose peer is a switch port, named `<host>-<nic>` in the switch. */
export interface NicSpec {
  name: string;
  port: SwitchPort;
}

/** A bond of some of a host's NICs (the kernel's bonding driver), as the host's network config makes it at boot. */
export interface BondSpec {
  name: string;
  mode: 'active-backup';
  /** NIC names of the same host, in order: the first is the active one at start. */
  slaves: string[];
}

export interface HostSpec {
  /** Short name (h1), used in logs and in the switch's port names. */
  name: string;
  nics: NicSpec[];
  bonds?: BondSpec[];
}

export interface TopologySpec {
  /** Prefix of every namespace of the topology; starts with mvt- (the test namespaces' prefix). */
  prefix: string;
  hosts: HostSpec[];
  /** The management network: `<subnet24>.<n>` for the n-th host (from 1), `.254` for the lab's root netns. */
  mgmtSubnet24: string;
}

/** The switch's namespace; its bridge is `br0`. */
export function switchNetns(spec: TopologySpec): string {
  return `${spec.prefix}sw`;
}

/** The management network's namespace; its bridge is `br0`. */
export function mgmtNetns(spec: TopologySpec): string {
  return `${spec.prefix}mgmt`;
}

/** A host's namespace: the host itself, where its NICs and its agent live. */
export function hostNetns(spec: TopologySpec, host: string): string {
  hostSpec(spec, host);
  return `${spec.prefix}${host}`;
}

export function hostSpec(spec: TopologySpec, host: string): HostSpec {
  const found = spec.hosts.find((h) => h.name === host);
  if (!found) throw new Error(`no host ${host} in the topology (hosts: ${hostNames(spec).join(', ')})`);
  return found;
}

export function hostNames(spec: TopologySpec): string[] {
  return spec.hosts.map((h) => h.name);
}

/** The switch port a host's NIC is plugged into: `<host>-<nic>`, at most 15 bytes as link names are. */
export function switchPortName(host: string, nic: string): string {
  const name = `${host}-${nic}`;
  if (name.length > 15) throw new Error(`switch port name ${name} is longer than 15 bytes`);
  return name;
}

/** The host's address on the management network, without prefix. */
export function mgmtAddress(spec: TopologySpec, host: string): string {
  return `${spec.mgmtSubnet24}.${spec.hosts.indexOf(hostSpec(spec, host)) + 1}`;
}

/** The lab root netns's address on the management network (the orchestrator's). */
export function mgmtRootAddress(spec: TopologySpec): string {
  return `${spec.mgmtSubnet24}.254`;
}

/** Every namespace the topology makes (containers are the scenarios'). */
export function topologyNetns(spec: TopologySpec): string[] {
  return [switchNetns(spec), mgmtNetns(spec), ...spec.hosts.map((h) => hostNetns(spec, h.name))];
}
