/**
 * The few libc calls Node lacks, through koffi (an FFI with its binaries inside its npm package:
 * nothing is compiled at install): an AF_NETLINK socket and setns() for rtnetlink, unshare() and an
 * AF_PACKET socket (bind, sendto) for ARP probes, fstatfs() and ioctl() to tell a network namespace
 * from any other file. Loaded on first use, so that a platform
 * without koffi's binary fails there, with a clear message.
 */
import type { KoffiFunction } from 'koffi';

export const AF_NETLINK = 16;
export const AF_PACKET = 17;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const NETLINK_ROUTE = 0;
export const CLONE_NEWNET = 0x40000000;
export const SOL_SOCKET = 1;
export const SO_RCVTIMEO = 20;
/** The cookie of the netns a socket was made in (Linux 5.14): a u64 never given twice in a boot. */
export const SO_NETNS_COOKIE = 71;
export const SOL_NETLINK = 270;
export const NETLINK_CAP_ACK = 10;
export const NETLINK_EXT_ACK = 11;
/** statfs.f_type of the nsfs pseudo-filesystem, where namespace files live (linux/magic.h). */
export const NSFS_MAGIC = 0x6e736673;
/** ioctl: the type of namespace a nsfs file is (linux/nsfs.h: _IO(0xb7, 0x3)); CLONE_NEWNET for a netns. */
export const NS_GET_NSTYPE = 0xb703;

export interface Libc {
  setns(fd: number, nstype: number): number;
  /** unshare(2): the calling thread alone moves into the new namespace. */
  unshare(flags: number): number;
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, address: Buffer, length: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, length: number): number;
  /** getsockopt(2) of a u64 option; undefined when the kernel refuses it (too old). */
  getsockoptU64(fd: number, level: number, name: number): bigint | undefined;
  send(fd: number, buf: Buffer, length: number, flags: number): number;
  sendto(
    fd: number,
    buf: Buffer,
    length: number,
    flags: number,
    address: Buffer,
    addressLength: number,
  ): number;
  recv(fd: number, buf: Buffer, length: number, flags: number): number;
  /**
   * send() and recv() on a thread of libuv's pool, for a request the kernel takes long to answer (a
   * link's deletion waits for RCU grace periods, ~10-25 ms): the agent's thread goes on meanwhile.
   * errno is that thread's, and lost: a failure resolves -1 and no more.
   */
  sendAsync(fd: number, buf: Buffer, length: number, flags: number): Promise<number>;
  recvAsync(fd: number, buf: Buffer, length: number, flags: number): Promise<number>;
  close(fd: number): number;
  /** close() on a thread of libuv's pool: closing an AF_PACKET socket waits for an RCU grace period. */
  closeAsync(fd: number): Promise<number>;
  /** fstatfs(2)'s f_type, or -1 (errno set) on failure. */
  fsType(fd: number): number;
  /** ioctl(2) without an argument. */
  ioctl(fd: number, request: number): number;
  /** errno of the last call on this thread. */
  errno(): number;
  strerror(errno: number): string;
}

let loaded: Libc | undefined;

/** libc's functions, bound once. */
export function libc(): Libc {
  if (loaded) return loaded;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, on first netlink use
  const koffi = require('koffi') as typeof import('koffi');
  const lib = koffi.load('libc.so.6');
  const fn = (decl: string): KoffiFunction => lib.func(decl);
  const setns = fn('int setns(int fd, int nstype)');
  const unshare = fn('int unshare(int flags)');
  const socket = fn('int socket(int domain, int type, int protocol)');
  const bind = fn('int bind(int fd, void *address, uint32_t length)');
  const setsockopt = fn('int setsockopt(int fd, int level, int name, void *value, uint32_t length)');
  const getsockopt = fn('int getsockopt(int fd, int level, int name, void *value, _Inout_ uint32_t *length)');
  const send = fn('intptr_t send(int fd, void *buf, size_t length, int flags)');
  const sendto = fn(
    'intptr_t sendto(int fd, void *buf, size_t length, int flags, void *address, uint32_t addressLength)',
  );
  const recv = fn('intptr_t recv(int fd, void *buf, size_t length, int flags)');
  const close = fn('int close(int fd)');
  const fstatfs = fn('int fstatfs(int fd, void *buf)');
  const ioctl = fn('int ioctl(int fd, unsigned long request, ...)');
  const onPool =
    (f: KoffiFunction) =>
    (...args: unknown[]): Promise<number> =>
      new Promise((resolve, reject) =>
        f.async(...args, (err: unknown, result: unknown) => (err ? reject(err) : resolve(Number(result)))),
      );
  const strerror = fn('const char *strerror(int errnum)');
  loaded = {
    setns: (fd, nstype) => setns(fd, nstype) as number,
    unshare: (flags) => unshare(flags) as number,
    socket: (domain, type, protocol) => socket(domain, type, protocol) as number,
    bind: (fd, address, length) => bind(fd, address, length) as number,
    setsockopt: (fd, level, name, value, length) => setsockopt(fd, level, name, value, length) as number,
    getsockoptU64: (fd, level, name) => {
      const value = Buffer.alloc(8);
      const length = [8];
      return getsockopt(fd, level, name, value, length) === 0 ? value.readBigUInt64LE(0) : undefined;
    },
    send: (fd, buf, length, flags) => Number(send(fd, buf, length, flags)),
    sendto: (fd, buf, length, flags, address, addressLength) =>
      Number(sendto(fd, buf, length, flags, address, addressLength)),
    recv: (fd, buf, length, flags) => Number(recv(fd, buf, length, flags)),
    sendAsync: onPool(send),
    recvAsync: onPool(recv),
    close: (fd) => close(fd) as number,
    closeAsync: onPool(close),
    fsType: (fd) => {
      // struct statfs: f_type, a long, comes first; 120 bytes in all on 64-bit Linux (256: room to spare).
      const buf = Buffer.alloc(256);
      return fstatfs(fd, buf) === 0 ? Number(buf.readBigInt64LE(0)) : -1;
    },
    ioctl: (fd, request) => ioctl(fd, request) as number,
    errno: () => koffi.errno(),
    strerror: (errnum) => strerror(errnum) as string,
  };
  return loaded;
}

// The link monitor (netlink/RtnlLinkMonitor): a NETLINK_ROUTE socket joined to multicast groups,
// read by a worker thread that an eventfd wakes when the monitor closes.

export const SO_RCVBUF = 8;
/** SO_RCVBUF past the system's rmem_max (CAP_NET_ADMIN). */
export const SO_RCVBUFFORCE = 33;
export const NETLINK_ADD_MEMBERSHIP = 1;
/** Notifications of every netns that has an nsid in the socket's, each with that nsid (Linux 4.2). */
export const NETLINK_LISTEN_ALL_NSID = 8;
export const EFD_NONBLOCK = 0o4000;
export const EFD_CLOEXEC = 0o2000000;

let eventfdCall: KoffiFunction | undefined;

/** eventfd(2): a counter a write() makes readable; -1 (errno set) on failure. */
export function eventfd(initval: number, flags: number): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, as libc() is
  const koffi = require('koffi') as typeof import('koffi');
  eventfdCall ??= koffi.load('libc.so.6').func('int eventfd(unsigned int initval, int flags)');
  return eventfdCall(initval, flags) as number;
}
