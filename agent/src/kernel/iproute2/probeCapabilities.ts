import { KernelCapabilities } from '../../domain/ports/LinkDriver';
import { parseLinks } from './parseLinks';
import { kernelErrorFrom, runCommand } from './runCommand';

/**
 * The probe, fed to `ip -force -batch` in a fresh anonymous netns: each line may fail on its own, and
 * the final `link show` tells which links the kernel agreed to make. vlan and macvlan need an
 * Ethernet lower, hence the veth pair.
 */
const PROBE_SCRIPT = [
  'link add pv0 type veth peer name pv1',
  'link add link pv0 name pvlan type vlan id 10',
  'link add link pv0 name pmacvlan type macvlan mode bridge',
  'link add pdummy type dummy',
  'link add pbond type bond',
  'link add pbridge type bridge vlan_filtering 1',
  'link show',
].join('\n');

/**
 * Tries every link kind in a throwaway anonymous netns (`unshare --net`), which dies with the
 * process: no namespace of the host ever sees a probe link. Needs root.
 */
export async function probeCapabilities(): Promise<KernelCapabilities> {
  const r = await runCommand(['unshare', '--net', 'ip', '-force', '-j', '-d', '-batch', '-'], PROBE_SCRIPT);
  // -force makes ip exit 1 when a line failed; only an empty `link show` means the probe itself failed.
  if (r.stdout.trim() === '') throw kernelErrorFrom('probe kernel capabilities', r);
  const links = new Map(parseLinks(r.stdout).map((j) => [j.ifname, j]));
  return {
    vlan8021q: links.has('pvlan'),
    macvlan: links.has('pmacvlan'),
    dummy: links.has('pdummy'),
    bonding: links.has('pbond'),
    // A kernel without CONFIG_BRIDGE_VLAN_FILTERING may refuse the option or ignore it: read it back.
    vlanFilteringBridge: links.get('pbridge')?.linkinfo?.info_data?.vlan_filtering === 1,
  };
}
