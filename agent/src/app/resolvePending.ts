import type { Logger } from 'pino';
import type { HostState } from '../domain/ports/HostState';
import type { LinkDriver } from '../domain/ports/LinkDriver';
import { recordUnlessFull } from './recordUnlessFull';
import { undoPending } from './undoPending';

/**
 * At start, before anything else: undoes the changes the agent died in the middle of (HostState.pendingOps),
 * so that nothing they made is left in the kernel. A network that was not committed loses the host links
 * its plan made, marked or not yet marked (a link its plan creates did not exist before it); an endpoint
 * that was not committed loses its link in the container, under its temporary name or, renamed, under
 * its ifname when it carries the endpoint's mark; an Apply loses all it made (undoPending). A committed
 * change has no pending entry (it went in the same transaction), so nothing of the state is touched
 * here: what an Apply removed before it died comes back with the restore that follows. Each undo is
 * logged.
 */
export async function resolvePending(deps: {
  state: HostState;
  driver: LinkDriver;
  logger: Logger;
}): Promise<void> {
  for (const { id, op } of deps.state.pendingOps()) {
    try {
      const undone = await undoPending(op, deps);
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
