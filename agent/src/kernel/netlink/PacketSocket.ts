/**
 * An AF_PACKET socket for ARP (SOCK_DGRAM: the kernel writes and strips the Ethernet header), made in
 * the thread's netns, non-blocking: the agent's thread polls it from timers and never waits in recv().
 * Opening one needs CAP_NET_RAW.
 *
 * Two kernel quirks set its shape. A packet socket made with a protocol hears it at once, on every
 * link, and binding it to one link afterwards waits for an RCU grace period (~15 ms here: the hook is
 * taken off and put back): so it is made with protocol 0, hearing nothing, and the bind names ARP and
 * the link in one go. And closing one always waits for a grace period (packet_release calls
 * synchronize_net()): so close() runs on libuv's pool, not on the agent's thread.
 */
import { AF_PACKET, libc, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK } from '../libc';
import { ARPHRD_ETHER, ETH_P_ARP } from './arpMessages';
import { failedCall, NetlinkError } from './NetlinkError';

const EPERM = 1;
const EAGAIN = 11;
const EACCES = 13;
const SOCKADDR_LL_LENGTH = 20;
/** A frame's ARP message with its padding (46 bytes on Ethernet) fits; anything longer is cut. */
const RECEIVE_BUFFER = 128;
const BROADCAST = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

/** struct sockaddr_ll of link `ifindex`, for ARP, with a destination hardware address when one is given. */
function sockaddrLl(ifindex: number, destination?: Buffer): Buffer {
  const b = Buffer.alloc(SOCKADDR_LL_LENGTH);
  b.writeUInt16LE(AF_PACKET, 0);
  b.writeUInt16BE(ETH_P_ARP, 2);
  b.writeInt32LE(ifindex, 4);
  b.writeUInt16LE(ARPHRD_ETHER, 8);
  if (destination) {
    b.writeUInt8(destination.length, 11);
    destination.copy(b, 12);
  }
  return b;
}

export class PacketSocket {
  private readonly buffer = Buffer.alloc(RECEIVE_BUFFER);

  private constructor(private fd: number) {}

  /** An ARP socket in the thread's netns; without CAP_NET_RAW, a NetlinkError that says so. */
  static openArp(): PacketSocket {
    const c = libc();
    const fd = c.socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd >= 0) return new PacketSocket(fd);
    const errno = c.errno();
    if (errno === EPERM || errno === EACCES) {
      throw new NetlinkError(errno, `an AF_PACKET socket needs CAP_NET_RAW (${c.strerror(errno)})`);
    }
    throw failedCall('AF_PACKET socket');
  }

  /** Hears ARP on link `ifindex`, and nothing else. */
  bind(ifindex: number): void {
    const address = sockaddrLl(ifindex);
    if (libc().bind(this.fd, address, address.length) !== 0) throw failedCall('bind AF_PACKET socket');
  }

  /** Sends an ARP message to the broadcast address of link `ifindex`. */
  broadcast(ifindex: number, message: Buffer): void {
    const address = sockaddrLl(ifindex, BROADCAST);
    const sent = libc().sendto(this.fd, message, message.length, 0, address, address.length);
    if (sent !== message.length) throw failedCall('send ARP');
  }

  /** The next packet waiting, or undefined when none is (never waits). */
  receive(): Buffer | undefined {
    const c = libc();
    const n = c.recv(this.fd, this.buffer, this.buffer.length, 0);
    if (n >= 0) return Buffer.from(this.buffer.subarray(0, n));
    if (c.errno() === EAGAIN) return undefined;
    throw failedCall('receive ARP');
  }

  /** Closes the socket, off the agent's thread (see above). */
  async close(): Promise<void> {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    await libc().closeAsync(fd);
  }
}
