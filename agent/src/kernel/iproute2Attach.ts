/**
 * LinkDriver.attachEndpoint with iproute2: one line in the host's long-lived batch, one process in
 * the container's netns (a batch cannot switch namespace per line, and addresses do not survive a
 * move): that process is the floor of an attach with iproute2. It is started by NetnsLauncher's
 * small shell, not by forking the agent, so attaches run their processes side by side while the
 * agent's thread goes on.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { attachAction, checkAttachOptions, containerSideCommands, hostSideCommand } from './endpointCommands';
import { IpBatch } from './IpBatch';
import { KernelLogger } from './kernelLogger';
import { AttachEndpointOptions, KernelError } from './LinkDriver';
import { LaunchedScript, NetnsLauncher, type ScriptResult } from './NetnsLauncher';
import { describeNetns, netnsFileExists, resolveNetns, ResolvedNetns } from './netnsRef';
import { kernelErrorFrom } from './runCommand';

/**
 * The kernel frees a deleted netns's links asynchronously (cleanup_net() runs from a workqueue, tens
 * of ms later): a container made anew right after its old netns went finds the old macvlan still
 * holding the endpoint's stable MAC on the parent, and `up` fails with EADDRINUSE. Wait for it, a
 * while (1.3 s in all); a MAC that is really taken fails after that.
 */
const MAC_RELEASE_WAITS_MS = [10, 20, 40, 80, 160, 320, 640];

const elapsedMs = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e6;

/**
 * Runs the container side's `lines` in `inside`; when `up` finds the MAC still held, runs the rest
 * again, from that line, in fresh processes, while MAC_RELEASE_WAITS_MS lasts. The result's failedLine
 * counts among all `lines`.
 */
async function configureInside(
  launcher: NetnsLauncher,
  inside: LaunchedScript,
  netns: ResolvedNetns,
  lines: string[],
): Promise<ScriptResult> {
  let r = await inside.end(lines);
  let done = 0;
  for (const waitMs of MAC_RELEASE_WAITS_MS) {
    if (r.exitCode === 0 || r.failedLine === undefined || !r.stderr.includes('Address already in use')) break;
    done += r.failedLine - 1;
    await sleep(waitMs);
    // A retry that runs no line (its process did not get in) still comes after the rename.
    r = await launcher.run(netns, lines.slice(done));
    r.failedLine = r.exitCode === 0 ? undefined : (r.failedLine ?? 1);
  }
  return r.failedLine === undefined ? r : { ...r, failedLine: done + r.failedLine };
}

/**
 * Removes the half-made link from the container's netns, under the name it had when `r` failed at
 * one of `lines` (a second process, only on failure). Without a failed line ip did not get to run
 * one: the link is still tmpName, and guessing ifname could remove somebody else's link.
 */
async function removeHalfMade(
  launcher: NetnsLauncher,
  o: AttachEndpointOptions,
  netns: ResolvedNetns,
  r: ScriptResult,
  logger?: KernelLogger,
) {
  const { asTmpName } = containerSideCommands(o);
  const name = (r.failedLine ?? 1) <= asTmpName.length ? o.tmpName : o.ifname;
  const removed = await launcher.run(netns, [`link del dev ${name}`]).catch((err: Error) => err);
  if (removed instanceof Error || removed.exitCode !== 0) {
    const context = { link: name, netns: describeNetns(o.netns), result: removed };
    logger?.warn(context, 'cannot remove half-made endpoint');
  }
}

/**
 * LinkDriver.attachEndpoint with iproute2. First the process in the container's netns starts (it is
 * needed anyway, and its pid names the netns to the host side); once it is in (it opened its input),
 * the macvlan is made there from the host batch; then the process marks, renames, addresses, raises
 * and routes it, all lines at once, stopping at the first that fails.
 */
export async function attachEndpoint(
  host: IpBatch,
  launcher: NetnsLauncher,
  o: AttachEndpointOptions,
  logger?: KernelLogger,
) {
  const action = attachAction(o);
  checkAttachOptions(action, o);
  const netns = resolveNetns(o.netns);
  if (!netnsFileExists(netns)) throw new KernelError(`cannot ${action}: no such netns`);
  const start = process.hrtime.bigint();
  const inside = await launcher.start(netns);
  if (!(await inside.whenReady())) throw kernelErrorFrom(action, await inside.end());
  const readyMs = elapsedMs(start);
  // A failed `link add` made nothing (a taken tmpName is somebody else's link): nothing to remove.
  const created = await host.run(hostSideCommand(o, inside.pid)).catch(async (err: unknown) => {
    await inside.end(); // ip ends at the end of its input: its slot is free again
    throw err;
  });
  if (created.exitCode !== 0) {
    await inside.end();
    throw kernelErrorFrom(action, created);
  }
  const hostMs = elapsedMs(start) - readyMs;
  const { asTmpName, asIfname } = containerSideCommands(o);
  const r = await configureInside(launcher, inside, netns, [...asTmpName, ...asIfname]);
  if (r.exitCode !== 0) {
    await removeHalfMade(launcher, o, netns, r, logger);
    throw kernelErrorFrom(action, r);
  }
  const timing = { readyMs, hostMs, totalMs: elapsedMs(start) };
  logger?.info(
    { link: o.ifname, netns: describeNetns(o.netns), alias: o.alias, ...timing },
    'attached endpoint',
  );
}
