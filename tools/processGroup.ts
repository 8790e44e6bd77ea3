/**
 * Processes and process groups. A group is the unit in which an agent or a lab instance is stopped:
 * the agent starts `ip` helpers, linux.uml forks a host process per address space inside the lab,
 * and only a signal to the whole group reaches them all.
 */
import fs from 'node:fs';

/** True while the process exists (signal 0 reaches it, or it is there but not ours to signal). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but is not ours to signal.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

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

/** The processes of a group, as `pid (command)`, read from /proc (for logs). */
export function processGroupMembers(pgid: number): string[] {
  const members: string[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses; split after the last ')'.
      const close = stat.lastIndexOf(')');
      const [, , pgrp] = stat.slice(close + 2).split(' ');
      if (Number(pgrp) === pgid) members.push(`${entry} ${stat.slice(stat.indexOf('('), close + 1)}`);
    } catch {
      // It ended meanwhile.
    }
  }
  return members;
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
 * Kills the groups and waits until none of their processes is left, so a caller that returns after
 * this leaves nothing running. `pgids` is asked again on every round: a group may become known
 * while this runs (linux.uml reports its pid just after it starts). Resolves false if some process
 * survived `deadlineMs` (a zombie whose parent does not reap it).
 */
export async function killProcessGroupsAndWait(pgids: () => number[], deadlineMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    pgids().forEach(killProcessGroup);
    if (!pgids().some(isProcessGroupAlive)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
