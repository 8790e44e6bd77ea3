#!/usr/bin/python3
"""The drift part's peer: a bare rtnetlink listener, the least a program can do to learn of a link change.

    ip netns exec HOST_NETNS /usr/bin/python3 -u bench/watch/rtnlLinkListener.py

One NETLINK_ROUTE socket in the netns it is started in, joined to the multicast group RTNLGRP_LINK,
with NETLINK_LISTEN_ALL_NSID so that it also hears the namespaces that have an nsid there (a
container's, as `ip monitor all-nsid` does). It is independent of mvnet-agent's own monitor: only
Python's standard library, no iproute2.

Prints `ready` once it listens, then one line per RTM_NEWLINK / RTM_DELLINK:

    <CLOCK_MONOTONIC ns at receipt> <NEW|DEL> <nsid, or - for its own netns> <ifindex> <ifname>

time.monotonic_ns() is CLOCK_MONOTONIC, the clock of Node's process.hrtime.bigint(): the benchmark
compares the two directly. It exits when its stdin closes (the benchmark ended, or died).
"""
import os
import selectors
import socket
import struct
import sys
import time

NETLINK_ROUTE = 0
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
NETLINK_LISTEN_ALL_NSID = 8
RTNLGRP_LINK = 1
RTM_NEWLINK = 16
RTM_DELLINK = 17
IFLA_IFNAME = 3

NLMSGHDR = struct.Struct("=IHHII")  # len, type, flags, seq, pid
IFINFOMSG = struct.Struct("=BxHiII")  # family, type, index, flags, change
RTATTR = struct.Struct("=HH")  # len, type


def align4(n):
    return (n + 3) & ~3


def ifname_of(data, start, end):
    """IFLA_IFNAME among the attributes in data[start:end], or '?'."""
    while start + RTATTR.size <= end:
        length, kind = RTATTR.unpack_from(data, start)
        if length < RTATTR.size:
            break
        if kind == IFLA_IFNAME:
            return data[start + RTATTR.size : start + length].split(b"\0", 1)[0].decode("ascii", "replace")
        start += align4(length)
    return "?"


def nsid_of(ancillary):
    for level, kind, value in ancillary:
        if level == SOL_NETLINK and kind == NETLINK_LISTEN_ALL_NSID and len(value) >= 4:
            return str(struct.unpack("=i", value[:4])[0])
    return "-"


def report(data, nsid, at):
    offset = 0
    while offset + NLMSGHDR.size <= len(data):
        length, kind = NLMSGHDR.unpack_from(data, offset)[:2]
        if length < NLMSGHDR.size:
            break
        if kind in (RTM_NEWLINK, RTM_DELLINK):
            index = IFINFOMSG.unpack_from(data, offset + NLMSGHDR.size)[2]
            attrs = offset + NLMSGHDR.size + IFINFOMSG.size
            name = ifname_of(data, attrs, offset + length)
            verb = "NEW" if kind == RTM_NEWLINK else "DEL"
            sys.stdout.write(f"{at} {verb} {nsid} {index} {name}\n")
        offset += align4(length)
    sys.stdout.flush()


def main():
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sock.bind((0, 0))
    sock.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, RTNLGRP_LINK)
    sock.setsockopt(SOL_NETLINK, NETLINK_LISTEN_ALL_NSID, 1)
    selector = selectors.DefaultSelector()
    selector.register(sock, selectors.EVENT_READ)
    selector.register(sys.stdin, selectors.EVENT_READ)
    print("ready", flush=True)
    while True:
        for key, _ in selector.select():
            if key.fileobj is sys.stdin:
                if not os.read(sys.stdin.fileno(), 4096):
                    return
                continue
            data, ancillary, _, _ = sock.recvmsg(1 << 16, socket.CMSG_SPACE(4))
            at = time.monotonic_ns()
            report(data, nsid_of(ancillary), at)


if __name__ == "__main__":
    main()
