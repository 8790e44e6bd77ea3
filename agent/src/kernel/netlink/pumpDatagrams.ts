/**
 * The body of the link monitor's worker thread (DatagramReader starts it): it sleeps in poll() on the
 * monitor's netlink socket and an eventfd, drains the socket with recvmsg() when it is readable, and
 * posts what it read to the agent's thread in batches, each datagram with the nsid of its netns.
 *
 * The worker runs this function's own source text (`eval`), so the same code runs from tsc's dist/ and
 * from ts-jest's transpiled source, where no .js file sits beside this one. It therefore imports
 * nothing and names nothing of its module: koffi's path and the fds come in workerData, and the
 * constants are written inside.
 *
 * What it posts is bounded: a batch holds at most BATCH datagrams, and once `maxUnread` datagrams are
 * posted and not yet handled (the agent's thread subtracts what it handled), it reads no more until the
 * agent's thread catches up; the kernel keeps the rest in the socket's buffer, and when that overruns,
 * the next recvmsg() says so (ENOBUFS) and the batch carries a gap.
 */
import type * as WorkerThreads from 'node:worker_threads';

/** What the worker is given. */
export interface PumpData {
  koffiPath: string;
  /** The netlink socket, and the eventfd whose write ends the worker; the agent's thread owns both. */
  fd: number;
  wakeFd: number;
  /** An Int32Array over it: [0] datagrams posted and not yet handled, [1] 1 once the reader closes. */
  shared: SharedArrayBuffer;
  maxUnread: number;
}

/** One entry of a batch: a datagram of the kernel's, from the netns `nsid` (-1: the socket's own). */
export type PumpEntry =
  | { nsid: number; bytes: Uint8Array }
  /** Notifications were lost: the socket overran (ENOBUFS), or one was larger than the buffer. */
  | { lost: 'overrun' | 'truncated' };

/** What the worker posts: a batch, or why it stopped reading (then it ends). */
export type PumpPost = { batch: PumpEntry[] } | { failed: string };

/** The slots of `shared` (pumpDatagrams writes the same numbers inside: it may name nothing outside). */
export const UNREAD = 0;
export const CLOSING = 1;

/** Reads the socket until the eventfd is written or the socket fails. Runs in the worker only. */
export function pumpDatagrams(threads: typeof WorkerThreads): void {
  const data = threads.workerData as PumpData;
  const port = threads.parentPort!;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see the header: no imports here
  const koffi = require(data.koffiPath) as typeof import('koffi');
  const lib = koffi.load('libc.so.6');
  const poll = lib.func('int poll(void *fds, unsigned long nfds, int timeout)');
  const recvmsg = lib.func('intptr_t recvmsg(int fd, void *msg, int flags)');
  const [EINTR, EAGAIN, ENOBUFS, MSG_TRUNC, MSG_DONTWAIT] = [4, 11, 105, 0x20, 0x40];
  const [POLLIN, POLLNVAL] = [0x1, 0x20];
  const [SOL_NETLINK, NETLINK_LISTEN_ALL_NSID, BATCH, DATA] = [270, 8, 256, 256 * 1024];
  const shared = new Int32Array(data.shared);
  const [UNREAD, CLOSING] = [0, 1];

  // One block of native memory that never moves: struct msghdr, one iovec, the sender's sockaddr_nl,
  // room for control messages, and the datagram itself: 256 KiB, as a link's altnames alone may take 64
  // KiB (root in a container could make every change of its link a truncated notification, i.e. a gap).
  const [IOV, NAME, CONTROL, BYTES] = [56, 72, 88, 152];
  const block = koffi.alloc('uint8_t', BYTES + DATA);
  const base = koffi.address(block);
  const memory = new Uint8Array(koffi.view(block, BYTES + DATA));
  const view = new DataView(memory.buffer);
  view.setBigUint64(IOV, base + BigInt(BYTES), true);
  view.setBigUint64(IOV + 8, BigInt(DATA), true);
  /** recvmsg() once; the datagram's length, or -errno. */
  const receive = (): number => {
    view.setBigUint64(0, base + BigInt(NAME), true); // msg_name, msg_namelen
    view.setUint32(8, 12, true);
    view.setBigUint64(16, base + BigInt(IOV), true); // msg_iov, msg_iovlen
    view.setBigUint64(24, 1n, true);
    view.setBigUint64(32, base + BigInt(CONTROL), true); // msg_control, msg_controllen
    view.setBigUint64(40, BigInt(BYTES - CONTROL), true);
    view.setInt32(48, 0, true); // msg_flags
    const n = Number(recvmsg(data.fd, block, MSG_DONTWAIT));
    return n < 0 ? -koffi.errno() : n;
  };
  /** The nsid in the control messages (NETLINK_LISTEN_ALL_NSID); -1 when there is none. */
  const nsidOf = (): number => {
    const length = Number(view.getBigUint64(40, true));
    for (let at = 0; at + 16 <= length;) {
      const size = Number(view.getBigUint64(CONTROL + at, true)); // struct cmsghdr: len, level, type
      if (size < 16) break;
      const [level, type] = [view.getInt32(CONTROL + at + 8, true), view.getInt32(CONTROL + at + 12, true)];
      if (level === SOL_NETLINK && type === NETLINK_LISTEN_ALL_NSID && size >= 20)
        return view.getInt32(CONTROL + at + 16, true);
      at += (size + 7) & ~7;
    }
    return -1;
  };

  const fds = Buffer.alloc(16); // two struct pollfd: the socket, the eventfd
  fds.writeInt32LE(data.fd, 0);
  fds.writeInt16LE(POLLIN, 4);
  fds.writeInt32LE(data.wakeFd, 8);
  fds.writeInt16LE(POLLIN, 12);
  let batch: PumpEntry[] = [];
  let transfer: ArrayBuffer[] = [];
  const post = () => {
    if (batch.length === 0) return;
    Atomics.add(shared, UNREAD, batch.length);
    port.postMessage({ batch } satisfies PumpPost, transfer);
    [batch, transfer] = [[], []];
  };
  for (;;) {
    const unread = Atomics.load(shared, UNREAD);
    if (Atomics.load(shared, CLOSING) === 1) return;
    if (unread >= data.maxUnread) {
      Atomics.wait(shared, UNREAD, unread, 1000); // woken when the agent's thread handles a batch, or closes
      continue;
    }
    fds.writeInt16LE(0, 6);
    fds.writeInt16LE(0, 14);
    if (poll(fds, 2, -1) < 0) {
      if (koffi.errno() === EINTR) continue;
      port.postMessage({ failed: `poll: errno ${koffi.errno()}` } satisfies PumpPost);
      return;
    }
    if (fds.readInt16LE(14) !== 0 || Atomics.load(shared, CLOSING) === 1) return;
    // POLLERR is an overrun (the kernel sets ENOBUFS as the socket's error): recvmsg() reports it.
    if (fds.readInt16LE(6) & POLLNVAL) {
      port.postMessage({ failed: 'poll: the socket is closed' } satisfies PumpPost);
      return;
    }
    while (Atomics.load(shared, UNREAD) + batch.length < data.maxUnread) {
      const n = receive();
      if (n === -EAGAIN) break;
      if (n === -EINTR) continue;
      if (n === -ENOBUFS) batch.push({ lost: 'overrun' });
      else if (n < 0) {
        post();
        port.postMessage({ failed: `recvmsg: errno ${-n}` } satisfies PumpPost);
        return;
      } else if (view.getInt32(48, true) & MSG_TRUNC) batch.push({ lost: 'truncated' });
      // Only the kernel's own messages (sender port 0): a process that may send to the groups (root
      // in a container's netns) could otherwise forge "changes".
      else if (view.getUint32(NAME + 4, true) === 0) {
        const bytes = new Uint8Array(n);
        bytes.set(memory.subarray(BYTES, BYTES + n));
        batch.push({ nsid: nsidOf(), bytes });
        transfer.push(bytes.buffer);
      }
      if (batch.length >= BATCH) post();
    }
    post();
  }
}
