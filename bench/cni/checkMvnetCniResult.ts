/**
 * What an mvnet-cni ADD must have answered (checked after each timed ADD, outside its time): a CNI
 * 1.1.0 result whose interface is the container's eth0 in its netns, with a MAC, and whose first IP
 * is the address asked for, with the network's gateway. And, after the phase, that each result's MAC
 * is the one the kernel gave the link.
 */
import { Attachment, GATEWAY } from '../attach/attachmentPlan';
import { runChecked } from '../shared/runProcess';

interface CniResult {
  cniVersion?: string;
  interfaces?: { name?: string; mac?: string; sandbox?: string }[];
  ips?: { address?: string; gateway?: string; interface?: number }[];
}

/** The MAC each ADD reported, by container. */
const reportedMacs = new Map<string, string>();

/** Throws naming what is wrong with `output` as the result of an ADD for `a`. */
export function checkMvnetCniResult(a: Attachment, output: Record<string, unknown> | undefined): void {
  const r = (output ?? {}) as CniResult;
  const iface = r.interfaces?.[0];
  const ip = r.ips?.[0];
  const problems = [
    r.cniVersion === '1.1.0' ? '' : `cniVersion ${r.cniVersion}`,
    iface?.name === 'eth0' ? '' : `interface ${iface?.name}`,
    iface?.sandbox === `/var/run/netns/${a.container}` ? '' : `sandbox ${iface?.sandbox}`,
    /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(iface?.mac ?? '') ? '' : `mac ${iface?.mac}`,
    ip?.address === a.cidr && ip.gateway === GATEWAY && ip.interface === 0 ? '' : `ip ${JSON.stringify(ip)}`,
  ].filter((p) => p !== '');
  if (problems.length > 0)
    throw new Error(`mvnet-cni ADD for ${a.container} answered ${problems.join(', ')}: ${JSON.stringify(r)}`);
  reportedMacs.set(a.container, iface!.mac!);
}

/** Throws when the MAC an ADD reported for `a` is not the one its eth0 has in the kernel. */
export async function checkReportedMac(a: Attachment): Promise<void> {
  const out = await runChecked(['ip', '-n', a.container, '-j', 'link', 'show', 'dev', 'eth0']);
  const kernel = (JSON.parse(out) as { address?: string }[])[0]?.address;
  if (kernel !== reportedMacs.get(a.container))
    throw new Error(
      `mvnet-cni said ${a.container}'s eth0 has ${reportedMacs.get(a.container)}; the kernel: ${kernel}`,
    );
}
