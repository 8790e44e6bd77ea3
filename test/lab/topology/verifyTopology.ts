import { bridge, ip, showLinks, type IpLink } from '../ipLinks';
import {
  hostNetns,
  mgmtAddress,
  switchNetns,
  switchPortName,
  type HostSpec,
  type SwitchPort,
  type TopologySpec,
} from './topology';

/** One port's VLANs as `bridge -j vlan show` reports them. */
interface PortVlans {
  ifname: string;
  vlans?: { vlan: number; flags?: string[] }[];
}

/** A port's VLANs in one comparable form: "10", "1 pvid untagged", sorted. */
function vlanWords(vlans: { vlan: number; pvid: boolean; untagged: boolean }[]): string {
  return vlans
    .map((v) => `${v.vlan}${v.pvid ? ' pvid' : ''}${v.untagged ? ' untagged' : ''}`)
    .sort()
    .join(', ');
}

function expectedVlans(port: SwitchPort): string {
  if (port.mode === 'access') return vlanWords([{ vlan: port.vlan, pvid: true, untagged: true }]);
  const tagged = port.vlans.map((vlan) => ({ vlan, pvid: false, untagged: false }));
  const native = port.native === undefined ? [] : [{ vlan: port.native, pvid: true, untagged: true }];
  return vlanWords([...tagged, ...native]);
}

/**
 * Compares the kernel with the spec: every switch port with exactly its VLANs, every host NIC up (in
 * its bond, when it has one), every bond of the right mode and slaves, every management address.
 * Returns the differences, one sentence each; none when the topology is as declared.
 */
export function verifyTopology(spec: TopologySpec): string[] {
  const problems: string[] = [];
  const ports = JSON.parse(bridge('-n', switchNetns(spec), '-j', 'vlan', 'show')) as PortVlans[];
  for (const host of spec.hosts)
    for (const nic of host.nics) {
      const name = switchPortName(host.name, nic.name);
      const found = ports.find((p) => p.ifname === name);
      const actual = vlanWords(
        (found?.vlans ?? []).map((v) => ({
          vlan: v.vlan,
          pvid: v.flags?.includes('PVID') ?? false,
          untagged: v.flags?.includes('Egress Untagged') ?? false,
        })),
      );
      if (actual !== expectedVlans(nic.port))
        problems.push(`switch port ${name} carries [${actual}], not [${expectedVlans(nic.port)}]`);
    }
  for (const host of spec.hosts) problems.push(...verifyHost(spec, host));
  return problems;
}

function verifyHost(spec: TopologySpec, host: HostSpec): string[] {
  const problems: string[] = [];
  const links = showLinks(hostNetns(spec, host.name));
  const link = (name: string): IpLink | undefined => links.find((l) => l.ifname === name);
  const masterOf = new Map((host.bonds ?? []).flatMap((b) => b.slaves.map((s) => [s, b.name] as const)));
  for (const nic of host.nics) {
    const found = link(nic.name);
    if (!found?.flags?.includes('UP')) problems.push(`${host.name}: ${nic.name} is missing or down`);
    else if (found.master !== masterOf.get(nic.name))
      problems.push(`${host.name}: ${nic.name} has master ${found.master}, not ${masterOf.get(nic.name)}`);
  }
  for (const bond of host.bonds ?? []) {
    const found = link(bond.name);
    const mode = found?.linkinfo?.info_data?.mode;
    if (found?.linkinfo?.info_kind !== 'bond' || mode !== bond.mode)
      problems.push(`${host.name}: ${bond.name} is not a bond in mode ${bond.mode}`);
  }
  const mgmt = JSON.parse(ip('-n', hostNetns(spec, host.name), '-j', 'addr', 'show', 'dev', 'mgmt0')) as {
    addr_info: { local: string }[];
  }[];
  if (!mgmt[0]?.addr_info.some((a) => a.local === mgmtAddress(spec, host.name)))
    problems.push(`${host.name}: mgmt0 lacks ${mgmtAddress(spec, host.name)}`);
  return problems;
}
