/**
 * Undoing one change the agent died in the middle of (see resolvePending): what it made in the kernel
 * is removed, and only that (each link is told by its mark, or by a temporary name nobody else has).
 */
import { endpointMark, markFor } from '../domain/marks';
import type { PendingApply, PendingAttach, PendingOp } from '../domain/model';
import type { HostState } from '../domain/ports/HostState';
import type { LinkDriver } from '../domain/ports/LinkDriver';

interface UndoDeps {
  state: HostState;
  driver: LinkDriver;
}

/** Undoes `op`; returns what was done, for the log. */
export async function undoPending(op: PendingOp, deps: UndoDeps): Promise<string[]> {
  if (op.kind === 'network') {
    return deps.state.getNetwork(op.network) ? [] : removeCreatedLinks(op.network, op.creates, deps.driver);
  }
  if (op.kind === 'endpoint') {
    const committed = deps.state.getEndpoint(op.network, op.name) !== undefined;
    return removeAttach(op, deps.driver, { renamedToo: !committed });
  }
  return undoApply(op, deps);
}

/**
 * An Apply was not committed: the state still holds the host as before it. Its attaches and the links
 * of the networks it created are removed, whether or not the state knows an object of that name (the
 * old one comes back with the restore), and promiscuous mode it turned on is turned off where no
 * network of the state asks for it.
 */
async function undoApply(op: PendingApply, deps: UndoDeps): Promise<string[]> {
  const undone: string[] = [];
  for (const attach of op.attaches)
    undone.push(...(await removeAttach(attach, deps.driver, { renamedToo: true })));
  for (const { network, creates } of [...op.networks].reverse()) {
    undone.push(...(await removeCreatedLinks(network, creates, deps.driver)));
  }
  const wanted = new Set(
    deps.state.listNetworks().flatMap((n) => (n.spec.promiscuous ? [n.status.parentLink] : [])),
  );
  for (const link of op.promiscuous) {
    if (wanted.has(link) || !(await deps.driver.getLink(link))?.promiscuous) continue;
    await deps.driver.setPromiscuous(link, false);
    undone.push(`promiscuous mode off on ${link}`);
  }
  return undone;
}

/** Removes the host links a network's plan created, marked for it or not marked yet (just made). */
async function removeCreatedLinks(
  network: string,
  creates: readonly string[],
  driver: LinkDriver,
): Promise<string[]> {
  const undone: string[] = [];
  for (const name of [...creates].reverse()) {
    const link = await driver.getLink(name);
    if (!link || (link.alias && link.alias !== markFor(network))) continue;
    await driver.deleteLink(name);
    undone.push(`deleted ${name}`);
  }
  return undone;
}

/** Removes an attach's link: under its temporary name, and, when `renamedToo`, under its ifname when marked. */
async function removeAttach(
  op: PendingAttach,
  driver: LinkDriver,
  options: { renamedToo: boolean },
): Promise<string[]> {
  const undone: string[] = [];
  const netns = op.netnsRef;
  if ((await driver.listLinkNamesIn(netns)).includes(op.tmpName)) {
    await driver.removeTempLink(netns, op.tmpName);
    undone.push(`removed ${op.tmpName} from ${op.netns}`);
  }
  if (!options.renamedToo) return undone;
  const mark = endpointMark(op.network, op.name);
  const seen = await driver.inspectEndpoint(netns, op.ifname);
  if (seen.link?.alias === mark) {
    await driver.detachEndpoint(netns, op.ifname, mark);
    undone.push(`detached ${op.ifname} from ${op.netns}`);
  }
  return undone;
}
