import { libc } from '../libc';

/** A request the kernel refused: its errno, and its text (the kernel's own, when it gave one). */
export class NetlinkError extends Error {
  constructor(
    readonly errno: number,
    message: string,
  ) {
    super(message);
    this.name = 'NetlinkError';
  }
}

/** The NetlinkError of the system call that just failed on the agent's thread: `what`, then errno's text. */
export function failedCall(what: string): NetlinkError {
  const c = libc();
  const errno = c.errno();
  return new NetlinkError(errno, `${what}: ${c.strerror(errno)}`);
}
