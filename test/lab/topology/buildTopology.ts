/**
 * Makes a TopologySpec real inside the lab with iproute2 (argv arrays, synchronous: the lab's kernel
 * is a throwaway one, assertInsideLab.ts makes sure of that), and takes it down again. Both are
 * idempotent: removeTopology first clears what a failed run left, so buildTopology starts clean.
 */
import { execFileSync } from 'node:child_process';
import { ip } from '../ipLinks';
import {
  hostNetns,
  mgmtAddress,
  mgmtNetns,
  mgmtRootAddress,
  switchNetns,
  switchPortName,
  topologyNetns,
  type HostSpec,
  type SwitchPort,
  type TopologySpec,
} from './topology';

/** The lab root netns's end of the management network: a veth named after the topology. */
export function mgmtRootLink(spec: TopologySpec): string {
  return `${spec.prefix}mgmt`;
}

/**
 * Builds the namespaces and the management network's root end, each host with its NICs, bonds and
 * management address, then the switch's bridge and port VLANs, then the management bridge. One
 * `ip -batch` per namespace: a single `ip -n NS` costs ~130 ms in the lab (it remounts /sys), and
 * the topology takes some sixty commands.
 */
export function buildTopology(spec: TopologySpec): void {
  removeTopology(spec);
  const sw = switchNetns(spec);
  const mgmt = mgmtNetns(spec);
  const root = mgmtRootLink(spec);
  batch('ip', undefined, [
    ...topologyNetns(spec).map((ns) => ['netns', 'add', ns]),
    ['link', 'add', root, 'type', 'veth', 'peer', 'name', 'root', 'netns', mgmt],
    ['addr', 'add', `${mgmtRootAddress(spec)}/24`, 'dev', root],
    ['link', 'set', root, 'up'],
  ]);
  for (const host of spec.hosts) batch('ip', hostNetns(spec, host.name), hostCommands(spec, host));
  const ports = spec.hosts.flatMap((h) =>
    h.nics.map((nic) => ({ name: switchPortName(h.name, nic.name), nic })),
  );
  batch('ip', sw, [
    ['link', 'set', 'lo', 'up'],
    // vlan_default_pvid 0: a new port belongs to no VLAN until its spec says so (the kernel would put
    // it in VLAN 1, untagged, and a trunk meant to carry only VLAN 30 would carry VLAN 1 too).
    ['link', 'add', 'br0', 'type', 'bridge', 'vlan_filtering', '1', 'vlan_default_pvid', '0'],
    ['link', 'set', 'br0', 'up'],
    ...ports.map((port) => ['link', 'set', port.name, 'master', 'br0', 'up']),
  ]);
  batch(
    'bridge',
    sw,
    ports.flatMap((port) => portVlanCommands(port.name, port.nic.port)),
  );
  batch('ip', mgmt, [
    ['link', 'set', 'lo', 'up'],
    ['link', 'add', 'br0', 'type', 'bridge'],
    ['link', 'set', 'br0', 'up'],
    ...['root', ...spec.hosts.map((h) => h.name)].map((port) => ['link', 'set', port, 'master', 'br0', 'up']),
  ]);
}

/** A host's NICs (veths into the switch), its bonds, and mgmt0 (a veth into the management network). */
function hostCommands(spec: TopologySpec, host: HostSpec): string[][] {
  const commands = [['link', 'set', 'lo', 'up']];
  for (const nic of host.nics)
    commands.push([
      ...['link', 'add', nic.name, 'type', 'veth'],
      ...['peer', 'name', switchPortName(host.name, nic.name), 'netns', switchNetns(spec)],
    ]);
  // A bond takes only NICs that are down; they come up with the others below.
  for (const bond of host.bonds ?? []) {
    commands.push(['link', 'add', bond.name, 'type', 'bond', 'mode', bond.mode, 'miimon', '100']);
    for (const slave of bond.slaves) commands.push(['link', 'set', slave, 'master', bond.name]);
  }
  for (const nic of host.nics) commands.push(['link', 'set', nic.name, 'up']);
  for (const bond of host.bonds ?? []) commands.push(['link', 'set', bond.name, 'up']);
  commands.push(
    ['link', 'add', 'mgmt0', 'type', 'veth', 'peer', 'name', host.name, 'netns', mgmtNetns(spec)],
    ['addr', 'add', `${mgmtAddress(spec, host.name)}/24`, 'dev', 'mgmt0'],
    ['link', 'set', 'mgmt0', 'up'],
  );
  return commands;
}

function portVlanCommands(port: string, spec: SwitchPort): string[][] {
  if (spec.mode === 'access')
    return [['vlan', 'add', 'dev', port, 'vid', String(spec.vlan), 'pvid', 'untagged']];
  const commands = spec.vlans.map((vid) => ['vlan', 'add', 'dev', port, 'vid', String(vid)]);
  if (spec.native !== undefined)
    commands.push(['vlan', 'add', 'dev', port, 'vid', String(spec.native), 'pvid', 'untagged']);
  return commands;
}

/** Runs `ip|bridge [-n NS] -batch -` with one command per line; the first failing one throws. */
function batch(tool: 'ip' | 'bridge', ns: string | undefined, commands: string[][]): void {
  const input = commands.map((words) => `${words.join(' ')}\n`).join('');
  execFileSync(tool, [...(ns ? ['-n', ns] : []), '-batch', '-'], {
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/**
 * Deletes the topology's namespaces (their veths go with them, the root end of the management network
 * too) and that root end if it was left alone. What is missing is skipped. Stop the agents first: a
 * namespace lives on, unnamed, while a process is in it.
 */
export function removeTopology(spec: TopologySpec): void {
  const existing = new Set(listNetns());
  for (const ns of topologyNetns(spec)) if (existing.has(ns)) ip('netns', 'del', ns);
  const root = mgmtRootLink(spec);
  const rootLinks = JSON.parse(ip('-j', 'link', 'show')) as { ifname: string }[];
  if (rootLinks.some((l) => l.ifname === root)) ip('link', 'del', root);
}

/** The named network namespaces of the lab, as `ip netns list` gives them. */
export function listNetns(): string[] {
  const text = ip('-j', 'netns', 'list').trim();
  return text === '' ? [] : (JSON.parse(text) as { name: string }[]).map((n) => n.name);
}
