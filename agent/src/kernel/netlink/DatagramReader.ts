/**
 * The link monitor's reader: a worker thread that blocks in poll()/recvmsg() on the monitor's netlink
 * socket (pumpDatagrams) and posts batches of datagrams to the agent's thread.
 *
 * Why a worker thread. The agent's thread must never block, and libuv has no way to watch a netlink
 * socket (net.Socket takes only TCP, pipes and unix sockets; there is no ancillary data, which carries
 * the nsid, without recvmsg). The alternatives weighed:
 * - recvmsg() through koffi's async calls: each call holds one of libuv's 4 pool threads until a
 *   notification comes, i.e. for good, and link deletions and closes need that pool;
 * - a non-blocking socket polled on a timer: a latency of the timer's period, and wakeups when idle;
 * - libuv's own uv_poll through FFI: its callback would enter JavaScript from libuv's poll phase,
 *   outside any koffi call, which koffi does not document as safe;
 * - a native addon (the `epoll` package): a compiler at install, which koffi was chosen to avoid;
 * - a process (`ip monitor`, as before): a spawn, a pipe, text to parse, and ~3 MB of its own.
 * A worker costs a V8 isolate (about 9 MB of RSS, measured here) and one thread asleep in poll(). It
 * drains the socket even while the agent's thread is busy with a repair, which keeps the kernel's buffer
 * from overrunning, and it batches: one message to the agent's thread per burst.
 *
 * Closing: close() sets a flag and writes the eventfd that the worker polls beside the socket; the
 * worker returns and exits. The fds are closed only after it has exited: closed under its poll(), their
 * numbers could go to another file that the worker would then read.
 */
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { EFD_CLOEXEC, EFD_NONBLOCK, eventfd, libc } from '../libc';
import { failedCall } from './NetlinkError';
import {
  CLOSING,
  pumpDatagrams,
  UNREAD,
  type PumpData,
  type PumpEntry,
  type PumpPost,
} from './pumpDatagrams';

/** Datagrams posted and not yet handled before the worker stops reading (about 1.5 KB each). */
export const MAX_UNREAD = 4096;

/** What the reader tells its owner. */
export interface DatagramHandlers {
  /** A batch of datagrams and losses, in the kernel's order. */
  onBatch(entries: PumpEntry[]): void;
  /** The reader stopped on its own (the socket failed, the worker died): nothing more comes. */
  onEnd(why: string): void;
}

/** An eventfd's write: add 1 to its counter (a u64). */
const WAKE = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]);

export class DatagramReader {
  private readonly shared = new Int32Array(new SharedArrayBuffer(8));
  private readonly wakeFd: number;
  private readonly worker: Worker;
  private closed = false;
  private ended = false;
  private exited = false;

  /** Starts reading `fd`, a netlink socket, which the reader owns from now on (closed once it ends). */
  constructor(
    private readonly fd: number,
    private readonly handlers: DatagramHandlers,
    maxUnread = MAX_UNREAD,
  ) {
    this.wakeFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (this.wakeFd < 0) {
      const err = failedCall('eventfd');
      libc().close(fd);
      throw err;
    }
    const workerData: PumpData = {
      koffiPath: require.resolve('koffi'),
      fd,
      wakeFd: this.wakeFd,
      shared: this.shared.buffer as SharedArrayBuffer,
      maxUnread,
    };
    try {
      this.worker = new Worker(`(${pumpDatagrams.toString()})(require('node:worker_threads'))`, {
        eval: true,
        workerData,
        name: 'mvnet link monitor',
        // Small heaps (it holds one batch at a time; ~1 MB less RSS than the defaults). Past them the
        // worker dies, and the monitor starts another.
        resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
      });
    } catch (err) {
      this.freeFds();
      throw err;
    }
    this.worker.unref(); // the agent may exit while it waits for the kernel
    this.worker.on('message', (post: PumpPost) => this.receive(post));
    this.worker.on('error', (err) => this.end(`its thread failed: ${err.message}`));
    this.worker.once('exit', (code) => {
      this.exited = true;
      this.freeFds();
      this.end(`its thread exited (code ${code})`);
    });
  }

  /** Stops the reader: nothing is handed over from now on; its fds are closed once the worker exits. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.shared, CLOSING, 1);
    Atomics.notify(this.shared, UNREAD); // a worker waiting for the agent's thread to catch up
    if (!this.exited) fs.writeSync(this.wakeFd, WAKE); // a worker in poll()
  }

  private receive(post: PumpPost): void {
    if (this.closed) return;
    if ('failed' in post) {
      this.end(`it could not read: ${post.failed}`);
      return;
    }
    try {
      this.handlers.onBatch(post.batch);
    } finally {
      Atomics.sub(this.shared, UNREAD, post.batch.length);
      Atomics.notify(this.shared, UNREAD);
    }
  }

  private end(why: string): void {
    if (this.closed || this.ended) return;
    this.ended = true;
    this.close(); // a worker that reported a failure is on its way out; one that threw is gone
    this.handlers.onEnd(why);
  }

  private freeFds(): void {
    libc().close(this.fd);
    libc().close(this.wakeFd);
  }
}
