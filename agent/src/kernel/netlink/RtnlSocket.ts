/**
 * A NETLINK_ROUTE socket bound to one network namespace: the namespace the thread was in when the
 * socket was made, for its whole life. To get one in a container's netns, the agent's thread enters
 * that netns, makes the socket and comes straight back (onThreadIn).
 *
 * Requests are synchronous: rtnetlink handles a request inside the send() and queues the reply
 * before it returns, so the recv() that follows does not wait (SO_RCVTIMEO bounds it anyway). An
 * attach is a handful of such round trips, microseconds each, on the agent's thread, with no process.
 * A request the kernel takes long over (a link's deletion) goes through requestAsync instead, whose
 * send() and recv() run on libuv's thread pool. One request at a time per socket.
 */
import fs from 'node:fs';
import {
  AF_NETLINK,
  libc,
  NETLINK_CAP_ACK,
  NETLINK_EXT_ACK,
  NETLINK_ROUTE,
  SO_NETNS_COOKIE,
  SO_RCVTIMEO,
  SOCK_CLOEXEC,
  SOCK_RAW,
  SOL_NETLINK,
  SOL_SOCKET,
} from '../libc';
import { failedCall as failed, NetlinkError } from './NetlinkError';
import { onThreadIn } from './threadNetns';
import {
  encodeMessage,
  NLMSG_DONE,
  NLMSG_ERROR,
  parseAck,
  splitMessages,
  type Reply,
  type Request,
} from './netlinkMessage';

const RECV_TIMEOUT_S = 5;
const RECV_BUFFER = 64 * 1024;

/**
 * The receive buffers, shared rather than one per socket and one per asynchronous request: a socket
 * lives for one attach, and 1,000 endpoints' worth of 64 KiB buffers freed by V8 stayed with the
 * allocator (the agent's RSS at scale, not its heap). Replies are copied out of them before any other
 * request can run: one buffer serves every synchronous request (they run one at a time, on the
 * agent's thread); an asynchronous one borrows a spare for its awaits and gives it back.
 */
const syncBuffer = Buffer.alloc(RECV_BUFFER);
const asyncBuffers: Buffer<ArrayBuffer>[] = [];
/** libuv's pool runs 4 requests at once: spares beyond a few would only be kept for nothing. */
const MAX_SPARE_BUFFERS = 8;

function setsockoptInt(fd: number, level: number, name: number, value: number): void {
  const b = Buffer.alloc(4);
  b.writeInt32LE(value);
  if (libc().setsockopt(fd, level, name, b, 4) !== 0) throw failed('setsockopt');
}

function openSocket(): number {
  const c = libc();
  const fd = c.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) throw failed('netlink socket');
  try {
    setsockoptInt(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
    setsockoptInt(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);
    const timeout = Buffer.alloc(16); // struct timeval: seconds, microseconds
    timeout.writeBigInt64LE(BigInt(RECV_TIMEOUT_S), 0);
    if (c.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout, 16) !== 0) throw failed('setsockopt');
    return fd;
  } catch (err) {
    c.close(fd);
    throw err;
  }
}

export class RtnlSocket {
  private seq = 1;

  private constructor(private fd: number) {}

  /** A socket in the netns whose file is `netnsFile` (a named netns, /proc/PID/ns/net...); the thread's own without one. */
  static open(netnsFile?: string): RtnlSocket {
    if (netnsFile === undefined) return new RtnlSocket(openSocket());
    const target = fs.openSync(netnsFile, fs.constants.O_RDONLY);
    try {
      return RtnlSocket.openInFd(target);
    } finally {
      fs.closeSync(target);
    }
  }

  /** A socket in the netns that `netnsFd` (an open netns file) is. */
  static openInFd(netnsFd: number): RtnlSocket {
    return new RtnlSocket(onThreadIn({ fd: netnsFd }, openSocket));
  }

  /**
   * Sends one request and reads until its ack: returns the messages before the ack (a GET's answer, or
   * a dump's, which ends with NLMSG_DONE); throws a NetlinkError when the kernel refuses it, with the
   * kernel's own words when it gave any.
   */
  request(request: Request): Reply[] {
    const c = libc();
    const { seq, message } = this.encode(request);
    if (c.send(this.fd, message, message.length, 0) !== message.length) throw failed('netlink send');
    const answer: Reply[] = [];
    for (;;) {
      const n = c.recv(this.fd, syncBuffer, syncBuffer.length, 0);
      if (n < 0) throw failed('netlink receive');
      if (this.take(n, seq, answer)) return answer;
    }
  }

  /** request(), with the send and the receives off the agent's thread (see libc's sendAsync). */
  async requestAsync(request: Request): Promise<Reply[]> {
    const c = libc();
    const { seq, message } = this.encode(request);
    const sent = await c.sendAsync(this.fd, message, message.length, 0);
    if (sent !== message.length) throw new NetlinkError(0, 'netlink send failed');
    const answer: Reply[] = [];
    const buffer = asyncBuffers.pop() ?? Buffer.alloc(RECV_BUFFER);
    try {
      for (;;) {
        const n = await c.recvAsync(this.fd, buffer, buffer.length, 0);
        if (n < 0)
          throw new NetlinkError(0, `netlink receive failed (no answer within ${RECV_TIMEOUT_S} s?)`);
        if (this.take(n, seq, answer, buffer)) return answer;
      }
    } finally {
      if (asyncBuffers.length < MAX_SPARE_BUFFERS) asyncBuffers.push(buffer);
    }
  }

  private encode(request: Request): { seq: number; message: Buffer } {
    if (this.fd < 0) throw new NetlinkError(0, 'netlink socket closed');
    const seq = this.seq++;
    return { seq, message: encodeMessage(request, seq) };
  }

  /**
   * Adds what one recv() read for request `seq` to `answer`; true once the request is answered (its ack,
   * or the end of its dump). Throws the kernel's refusal.
   */
  private take(n: number, seq: number, answer: Reply[], buffer = syncBuffer): boolean {
    for (const reply of splitMessages(Buffer.from(buffer.subarray(0, n)))) {
      if (reply.seq !== seq) continue; // a late answer to an earlier request that timed out
      if (reply.type === NLMSG_DONE) return true;
      if (reply.type !== NLMSG_ERROR) {
        answer.push(reply);
        continue;
      }
      const { errno, message: text } = parseAck(reply);
      if (errno === 0) return true;
      // The kernel's own words end with a full stop, as iproute2 prints them ("Error: ... .").
      throw new NetlinkError(errno, text === undefined ? libc().strerror(errno) : text.replace(/\.?$/, '.'));
    }
    return false;
  }

  /** The cookie of the netns the socket is in (SO_NETNS_COOKIE); undefined on a kernel before 5.14. */
  netnsCookie(): string | undefined {
    return libc().getsockoptU64(this.fd, SOL_SOCKET, SO_NETNS_COOKIE)?.toString();
  }

  close(): void {
    if (this.fd < 0) return;
    libc().close(this.fd);
    this.fd = -1;
  }
}
