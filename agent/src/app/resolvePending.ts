import type { Logger } from 'pino';
import { endpointMark, markFor } from '../domain/marks';
import type { PendingOp } from '../domain/model';
import type { HostState } from '../domain/ports/HostState';
import type { LinkDriver } from '../domain/ports/LinkDriver';
import { recordUnlessFull } from './recordUnlessFull';

/**
 * At start, before anything else: undoes the changes the agent died in the middle of (HostState.pendingOps),
 * so that nothing they made is left in the kernel. A network that was not committed loses the host links
 * its plan made, marked or not yet marked (a link its plan creates did not exist before it); an endpoint
 * that was not committed loses its link in the container, under its temporary name or, renamed, under
 * its ifname when it carries the endpoint's mark. A committed change has no pending entry (it went in the
 * same transaction), so nothing of the state is touched here. Each undo is logged.
 */
export async function resolvePending(deps: {
  state: HostState;
  driver: LinkDriver;
  logger: Logger;
}): Promise<void> {
  for (const { id, op } of deps.state.pendingOps()) {
    try {
      const undone = await undo(op, deps);
      deps.logger.warn({ op, undone }, 'undid a change the agent died in the middle of');
    } catch (err) {
      deps.logger.error({ err, op }, 'cannot undo a change the agent died in the middle of');
      continue; // tried again at the next start
    }
    // Undone but not forgotten on a full disk: undone again (nothing left to do) at the next start.
    recordUnlessFull(
      deps.logger,
      'the undo',
      () => deps.state.endPending(id),
      () => undefined,
    );
  }
}

async function undo(op: PendingOp, deps: { state: HostState; driver: LinkDriver }): Promise<string[]> {
  const { state, driver } = deps;
  const undone: string[] = [];
  if (op.kind === 'network') {
    if (state.getNetwork(op.network)) return undone;
    for (const name of [...op.creates].reverse()) {
      const link = await driver.getLink(name);
      if (!link || (link.alias && link.alias !== markFor(op.network))) continue;
      await driver.deleteLink(name);
      undone.push(`deleted ${name}`);
    }
    return undone;
  }
  const netns = op.netnsRef;
  if ((await driver.listLinkNamesIn(netns)).includes(op.tmpName)) {
    await driver.removeTempLink(netns, op.tmpName);
    undone.push(`removed ${op.tmpName} from ${op.netns}`);
  }
  if (!state.getEndpoint(op.network, op.name)) {
    const seen = await driver.inspectEndpoint(netns, op.ifname);
    if (seen.link?.alias === endpointMark(op.network, op.name)) {
      await driver.detachEndpoint(netns, op.ifname, endpointMark(op.network, op.name));
      undone.push(`detached ${op.ifname} from ${op.netns}`);
    }
  }
  return undone;
}
