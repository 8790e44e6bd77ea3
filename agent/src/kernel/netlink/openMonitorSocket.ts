/**
 * The socket the link monitor reads: NETLINK_ROUTE, in the host netns, joined to the multicast groups
 * of links and of IPv4 and IPv6 addresses (rtnetlink(7)), with NETLINK_LISTEN_ALL_NSID so that the
 * namespaces that have an nsid in the host netns are heard too, each message with that nsid as a
 * control message (netlink(7)). Its receive buffer is made large (SO_RCVBUFFORCE, as root) so that a
 * burst waits there for the reader; a buffer that overruns all the same makes the next recvmsg() fail
 * with ENOBUFS, which the reader turns into a gap.
 */
import fs from 'node:fs';
import {
  AF_NETLINK,
  libc,
  NETLINK_ADD_MEMBERSHIP,
  NETLINK_LISTEN_ALL_NSID,
  NETLINK_ROUTE,
  SO_RCVBUF,
  SO_RCVBUFFORCE,
  SOCK_CLOEXEC,
  SOCK_RAW,
  SOL_NETLINK,
  SOL_SOCKET,
} from '../libc';
import { failedCall } from './NetlinkError';
import { onThreadIn } from './threadNetns';

/** The groups (linux/rtnetlink.h, enum rtnetlink_groups). */
const RTNLGRP_LINK = 1;
const RTNLGRP_IPV4_IFADDR = 5;
const RTNLGRP_IPV6_IFADDR = 9;
const GROUPS = [RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR];

/** Large enough for a burst of thousands of notifications (the kernel doubles it, for its accounting). */
export const MONITOR_RECEIVE_BUFFER = 4 * 1024 * 1024;

function setInt(fd: number, level: number, name: number, value: number): number {
  const b = Buffer.alloc(4);
  b.writeInt32LE(value);
  return libc().setsockopt(fd, level, name, b, 4);
}

/** A socket made in the thread's netns, bound, joined, listening to every nsid. */
function makeSocket(receiveBufferBytes: number): number {
  const c = libc();
  const fd = c.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) throw failedCall('netlink socket');
  try {
    // Past rmem_max needs CAP_NET_ADMIN; without it, the largest size the system allows.
    if (setInt(fd, SOL_SOCKET, SO_RCVBUFFORCE, receiveBufferBytes) !== 0)
      if (setInt(fd, SOL_SOCKET, SO_RCVBUF, receiveBufferBytes) !== 0)
        throw failedCall('setsockopt SO_RCVBUF');
    const address = Buffer.alloc(12); // struct sockaddr_nl: family, pad, port 0 (the kernel picks one), groups 0
    address.writeUInt16LE(AF_NETLINK, 0);
    if (c.bind(fd, address, address.length) !== 0) throw failedCall('netlink bind');
    for (const group of GROUPS)
      if (setInt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group) !== 0) throw failedCall('netlink join');
    if (setInt(fd, SOL_NETLINK, NETLINK_LISTEN_ALL_NSID, 1) !== 0) throw failedCall('netlink all nsid');
    return fd;
  } catch (err) {
    c.close(fd);
    throw err;
  }
}

/**
 * Opens the monitor's socket in the netns whose file is `netnsFile` (the agent's own without one), as
 * RtnlSocket does: the thread enters the netns, makes the socket and comes straight back. The caller
 * owns the fd.
 */
export function openMonitorSocket(netnsFile: string | undefined, receiveBufferBytes: number): number {
  if (netnsFile === undefined) return makeSocket(receiveBufferBytes);
  const target = fs.openSync(netnsFile, fs.constants.O_RDONLY);
  try {
    return onThreadIn({ fd: target }, () => makeSocket(receiveBufferBytes));
  } finally {
    fs.closeSync(target);
  }
}
