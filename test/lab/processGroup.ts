/**
 * Process groups, the unit in which a lab instance is stopped: linux.uml forks a host process per
 * address space inside the lab, and only a signal to the whole group reaches them all.
 */

/** True while any process of the group exists (zombies included: they are not reaped yet). */
export function isProcessGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    // EPERM: members exist but are not ours to signal.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SIGKILLs every process of the group; a group already gone is fine. */
export function killProcessGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/**
 * Kills the group and waits until none of its processes is left, so a caller that returns after
 * this leaves nothing running. Resolves false if some survived `deadlineMs` (unreaped zombies of a
 * parent that does not reap: they hold no resources but still show in `ps`).
 */
export async function killProcessGroupAndWait(pgid: number, deadlineMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    killProcessGroup(pgid);
    if (!isProcessGroupAlive(pgid)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
