/**
 * Opening the network namespace a client named, as root, without trusting the name. A ref is a name
 * under /var/run/netns or a pid (parseNetnsRef allows nothing else); its file is opened O_PATH, which
 * opens nothing (a FIFO, a device: no open(2) of theirs runs, so nothing blocks), and without following
 * a final symlink for a name (a pid's /proc/PID/ns/net is the kernel's magic link, followed). Only a
 * file of nsfs (fstatfs) is then reopened for real, through /proc/self/fd, and only a *network*
 * namespace (NS_GET_NSTYPE) is handed out, with which one it is (NetnsInstance: device, inode, cookie).
 * Its device and inode (unique among the living) must not be one of the host's:
 * the agent's own namespace, the one it manages (--netns), or init's (when the agent may read it: in
 * some sandboxes pid 1 is not its to inspect). Another agent's host namespace on the same machine cannot
 * be told from a container's: nothing marks it.
 */
import fs from 'node:fs';
import type { NetnsInstance, NetnsRef } from '../domain/model';
import { sameNetns } from '../domain/netnsIdentity';
import { CLONE_NEWNET, libc, NS_GET_NSTYPE, NSFS_MAGIC } from './libc';
import { hostsOwnNetns, notANetns, unopenedPath, unreachableNetns } from './netnsRefusals';
import { RtnlSocket } from './netlink/RtnlSocket';
import { hostNetnsFile, resolveNetns } from './resolveNetns';

/** open(2)'s O_PATH (asm-generic/fcntl.h): Node's fs.constants lacks it; libuv passes it through. */
const O_PATH = 0o10000000;

/** A network namespace open for setns, IFLA_NET_NS_FD and NETNSA_FD; the caller closes `fd`. */
export interface OpenedNetns {
  fd: number;
  instance: NetnsInstance;
}

function inodeOf(stat: fs.Stats): NetnsInstance {
  return { dev: stat.dev, ino: stat.ino };
}

/** The netns cookie of an open netns, from a socket made in it; none on a kernel before 5.14. */
function cookieOf(fd: number): { cookie?: string } {
  const socket = RtnlSocket.openInFd(fd);
  try {
    const cookie = socket.netnsCookie();
    return cookie === undefined ? {} : { cookie };
  } finally {
    socket.close();
  }
}

export class NetnsOpener {
  /** The host's namespaces, which no endpoint may go into: read at first use. */
  private hostInodes?: NetnsInstance[];

  /** @param hostNetns the named netns the agent manages; its own when undefined */
  constructor(private readonly hostNetns: string | undefined) {}

  /**
   * Opens the netns `ref` names; undefined when there is none. Throws a PreconditionError for a file
   * that is not a network namespace, for the host's own, and for a stored path (an earlier agent's).
   */
  open(ref: NetnsRef, withCookie = true): OpenedNetns | undefined {
    if ('path' in ref) throw unopenedPath(ref);
    const pathFd = this.openPath(ref);
    if (pathFd === undefined) return undefined;
    try {
      if (libc().fsType(pathFd) !== NSFS_MAGIC) throw notANetns(ref);
      const fd = fs.openSync(`/proc/self/fd/${pathFd}`, fs.constants.O_RDONLY);
      try {
        if (libc().ioctl(fd, NS_GET_NSTYPE) !== CLONE_NEWNET) throw notANetns(ref);
        const instance = inodeOf(fs.fstatSync(fd));
        if (this.isHosts(instance)) throw hostsOwnNetns(ref);
        return { fd, instance: withCookie ? { ...instance, ...cookieOf(fd) } : instance };
      } catch (err) {
        fs.closeSync(fd);
        throw err;
      }
    } finally {
      fs.closeSync(pathFd);
    }
  }

  /** The identity of the namespace `ref` names now; undefined when there is none. */
  instance(ref: NetnsRef): NetnsInstance | undefined {
    const opened = this.open(ref);
    if (!opened) return undefined;
    fs.closeSync(opened.fd);
    return opened.instance;
  }

  /** Whether the ref names a container's network namespace now (checked as open() checks, no cookie). */
  exists(ref: NetnsRef): boolean {
    const opened = this.open(ref, false);
    if (opened) fs.closeSync(opened.fd);
    return opened !== undefined;
  }

  /** An O_PATH fd of the ref's file; undefined when it does not exist (or its process is gone). */
  private openPath(ref: { name: string } | { pid: number }): number | undefined {
    const noFollow = 'name' in ref ? fs.constants.O_NOFOLLOW : 0;
    try {
      return fs.openSync(resolveNetns(ref), O_PATH | noFollow);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ESRCH') return undefined;
      // A component that is not a directory (ENOTDIR), or a loop: whatever it is, no netns.
      if (code === 'ENOTDIR' || code === 'ELOOP') throw notANetns(ref);
      // Root, and yet refused: a process the agent may not inspect (another user namespace, a sandbox).
      if (code === 'EACCES' || code === 'EPERM') throw unreachableNetns(ref);
      throw err;
    }
  }

  private isHosts(inode: NetnsInstance): boolean {
    this.hostInodes ??= [hostNetnsFile(this.hostNetns), '/proc/self/ns/net', '/proc/1/ns/net'].flatMap(
      (file) => {
        if (file === undefined) return [];
        try {
          return [inodeOf(fs.statSync(file))];
        } catch (err) {
          // Init's may be out of reach (a sandbox where pid 1 is not ours to inspect: EACCES).
          if (file === '/proc/1/ns/net') return [];
          throw err;
        }
      },
    );
    return this.hostInodes.some((host) => sameNetns(host, inode));
  }
}
