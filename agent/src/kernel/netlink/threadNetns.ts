/**
 * The agent's thread in another network namespace, for as long as it takes to make sockets there: a
 * socket stays in the netns it was made in, for its whole life. The thread goes (setns, or unshare for
 * a namespace of its own), `make` runs, and the thread comes straight back, in one synchronous step, so
 * no other JavaScript runs meanwhile; the other threads of the process never move.
 */
import fs from 'node:fs';
import { CLONE_NEWNET, libc } from '../libc';
import { failedCall } from './NetlinkError';

/** The netns of the agent's own thread, opened once: where the thread comes back to. */
let ownNetnsFd: number | undefined;

/** Where the thread goes: the netns an open fd is, or a new one, empty but for its loopback. */
export type ThreadNetnsTarget = { fd: number } | 'new';

/**
 * Runs `make` with the thread in `target`, and brings it back. A thread that cannot come back ends the
 * process: whatever it did next would be done in the wrong namespace.
 */
export function onThreadIn<T>(target: ThreadNetnsTarget, make: () => T): T {
  const c = libc();
  ownNetnsFd ??= fs.openSync('/proc/thread-self/ns/net', fs.constants.O_RDONLY);
  if (target === 'new') {
    if (c.unshare(CLONE_NEWNET) !== 0) throw failedCall('make a netns');
  } else if (c.setns(target.fd, CLONE_NEWNET) !== 0) {
    throw failedCall('enter netns');
  }
  let made: { value: T } | { error: unknown };
  try {
    made = { value: make() };
  } catch (error) {
    made = { error };
  }
  if (c.setns(ownNetnsFd, CLONE_NEWNET) !== 0) {
    // The agent's thread is stuck in another netns: nothing it does from here on can be trusted.
    process.stderr.write(`mvnet-agent: cannot return to its own netns: ${c.strerror(c.errno())}\n`);
    process.abort();
  }
  if ('error' in made) throw made.error;
  return made.value;
}
