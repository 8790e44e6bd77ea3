/**
 * The endpoint operations of the iproute2 driver that only look into, or remove from, a container's
 * netns (attaching is iproute2Attach). A batch cannot switch namespace per line, so each costs one
 * process in the netns, and none when the netns file is missing.
 */
import { checkIfname, checkNetnsRef } from '../linkArgumentChecks';
import { endpointAction } from '../endpointActions';
import { IpBatch } from './IpBatch';
import { KernelLogger } from '../kernelLogger';
import { EndpointObservation, NetnsRef } from '../../domain/ports/LinkDriver';
import { NetnsLauncher } from './NetnsLauncher';
import { netnsFileExists, resolveNetns, ResolvedNetns } from '../resolveNetns';
import { describeNetnsRef } from '../../domain/netnsIdentity';
import { addressesOf, parseLinks, toLinkInfo } from './parseLinks';
import { CommandResult, kernelErrorFrom } from './runCommand';

/** Runs `use` with one ip process inside the netns, ended afterwards. */
async function inNetns<T>(netns: ResolvedNetns, use: (ip: IpBatch) => Promise<T>): Promise<T> {
  const ip = new IpBatch(netns.ipArgv);
  try {
    return await use(ip);
  } finally {
    await ip.close();
  }
}

/** Whether a failed first command in a netns means that the netns is gone (it vanished since the check). */
function netnsVanished(r: CommandResult, netns: ResolvedNetns): boolean {
  return r.exitCode !== 0 && !netnsFileExists(netns);
}

/** LinkDriver.detachEndpoint with iproute2: one process in the netns reads the link's mark, then deletes it. */
export async function detachEndpoint(ref: NetnsRef, ifname: string, alias: string, logger?: KernelLogger) {
  const action = endpointAction.detach(ref, ifname);
  checkNetnsRef(action, ref);
  checkIfname(action, 'dev', ifname);
  const netns = resolveNetns(ref);
  if (!netnsFileExists(netns)) return;
  await inNetns(netns, async (ip) => {
    const shown = await ip.run(`link show dev ${ifname}`, true);
    if (shown.stderr.includes('does not exist') || netnsVanished(shown, netns)) return;
    if (shown.exitCode !== 0) throw kernelErrorFrom(action, shown);
    const link = parseLinks(shown.stdout)[0];
    if (alias === '' || link?.ifalias !== alias) {
      logger?.info(
        { link: ifname, netns: describeNetnsRef(ref), alias: link?.ifalias },
        'left a link that is not ours',
      );
      return;
    }
    const deleted = await ip.run(`link del dev ${ifname}`);
    if (deleted.exitCode !== 0 && !deleted.stderr.includes('Cannot find device')) {
      throw kernelErrorFrom(action, deleted);
    }
    logger?.info({ link: ifname, netns: describeNetnsRef(ref), alias }, 'detached endpoint');
  });
}

/** LinkDriver.inspectEndpoint with iproute2: `addr show` in the netns gives the link and its addresses. */
export async function inspectEndpoint(
  launcher: NetnsLauncher,
  ref: NetnsRef,
  ifname: string,
): Promise<EndpointObservation> {
  const action = endpointAction.inspect(ref, ifname);
  checkNetnsRef(action, ref);
  checkIfname(action, 'dev', ifname);
  const netns = resolveNetns(ref);
  if (!netnsFileExists(netns)) return { netnsExists: false };
  const shown = await launcher.run(netns, [`addr show dev ${ifname}`]);
  if (netnsVanished(shown, netns)) return { netnsExists: false };
  if (shown.stderr.includes('does not exist')) return { netnsExists: true };
  if (shown.exitCode !== 0) throw kernelErrorFrom(action, shown);
  const json = parseLinks(shown.stdout)[0];
  return json
    ? { netnsExists: true, link: { ...toLinkInfo(json), addresses: addressesOf(json) } }
    : { netnsExists: true };
}

/** LinkDriver.netnsExists with iproute2: the netns file is there (no process). */
export function netnsExists(ref: NetnsRef): boolean {
  checkNetnsRef(endpointAction.lookUp(ref), ref);
  return netnsFileExists(resolveNetns(ref));
}

/** LinkDriver.removeTempLink with iproute2: one `link del` in the netns; a missing netns or link is success. */
export async function removeTempLink(launcher: NetnsLauncher, ref: NetnsRef, name: string): Promise<void> {
  const action = endpointAction.removeTemp(ref, name);
  checkNetnsRef(action, ref);
  checkIfname(action, 'dev', name);
  const netns = resolveNetns(ref);
  if (!netnsFileExists(netns)) return;
  const deleted = await launcher.run(netns, [`link del dev ${name}`]);
  if (deleted.exitCode === 0 || netnsVanished(deleted, netns) || /Cannot find device/.test(deleted.stderr))
    return;
  throw kernelErrorFrom(action, deleted);
}

/** LinkDriver.listLinkNamesIn with iproute2: one `link show` in the netns. */
export async function listLinkNamesIn(launcher: NetnsLauncher, ref: NetnsRef): Promise<string[]> {
  const action = endpointAction.listLinks(ref);
  checkNetnsRef(action, ref);
  const netns = resolveNetns(ref);
  if (!netnsFileExists(netns)) return [];
  const shown = await launcher.run(netns, ['link show']);
  if (netnsVanished(shown, netns)) return [];
  if (shown.exitCode !== 0) throw kernelErrorFrom(action, shown);
  return parseLinks(shown.stdout).map((j) => j.ifname);
}
