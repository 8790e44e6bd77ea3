import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import readline from 'node:readline';
import type { KernelLogger } from './kernelLogger';
import { checkNetnsRef } from './batchTokens';
import type { NetnsRef } from './LinkDriver';
import * as rtnl from './netlink/rtnetlinkCodec';
import { NetlinkError, RtnlSocket } from './netlink/RtnlSocket';
import { hostNetnsFile, openNetnsFile, resolveNetns } from './netnsRef';

/** One change the kernel reported: a link or an address, in the host netns or in another one. */
export interface LinkChange {
  /** "current": the host netns; a number: the nsid of another netns, as the host netns knows it. */
  nsid: 'current' | number;
  what: 'link' | 'address';
  deleted: boolean;
  ifname: string;
  /** The kernel's whole account of the link or address (the line without its time): equal lines, equal states. */
  detail: string;
}

/** Where the domain hears about kernel changes; the real one is IpLinkMonitor, tests use a fake. */
export interface LinkChangeSource {
  /** Calls `onChange` for every change, and `onGap` when changes may have been missed (a restart). */
  start(onChange: (change: LinkChange) => void, onGap: () => void): void;
  /**
   * Asks the kernel to report a container netns's changes too (it needs an nsid in the host netns), and
   * returns that nsid; undefined when the netns is gone.
   */
  follow(netns: NetnsRef): Promise<number | undefined>;
  close(): void;
}

const EEXIST = 17;

const LINE = /^\[[^\]]*\] (\[nsid (current|\d+)\]\[(LINK|ADDR)\](Deleted )?\d+: ([^:@\s]+).*)$/;

/** Reads one line of `ip -o -ts monitor label`; undefined for lines that are not link or address changes. */
export function parseMonitorLine(line: string): LinkChange | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  return {
    nsid: m[2] === 'current' ? 'current' : Number(m[2]),
    what: m[3] === 'LINK' ? 'link' : 'address',
    deleted: m[4] !== undefined,
    ifname: m[5],
    detail: m[1],
  };
}

/**
 * The kernel's own notifications, through one long-lived `ip -o -ts monitor label link address
 * all-nsid` (iproute2 6.1 ignores -json there, so lines are parsed). `all-nsid` also reports the
 * namespaces that have an nsid in the host netns: follow() gives a container's netns one. If the
 * process dies it is started again, and onGap tells the domain to re-read the kernel, so no change is
 * missed.
 */
export class IpLinkMonitor implements LinkChangeSource {
  private child?: ChildProcess;
  private closed = false;
  /** A netlink socket in the host netns, for follow(). */
  private host?: RtnlSocket;

  constructor(private readonly opts: { netns?: string; logger?: KernelLogger }) {}

  start(onChange: (change: LinkChange) => void, onGap: () => void): void {
    if (this.closed) return;
    const argv = [
      ...(this.opts.netns ? ['-n', this.opts.netns] : []),
      '-o',
      '-ts',
      'monitor',
      'label',
      'link',
      'address',
      'all-nsid',
    ];
    const child = spawn('ip', argv, {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    this.child = child;
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      const change = parseMonitorLine(line);
      if (change) onChange(change);
    });
    child.once('exit', (code, signal) => {
      if (this.closed) return;
      this.opts.logger?.warn(
        { code, signal },
        'kernel monitor stopped: starting it again and re-reading the kernel',
      );
      setTimeout(() => {
        this.start(onChange, onGap);
        onGap();
      }, 100).unref();
    });
    child.unref();
  }

  /**
   * Gives the netns an nsid in the host netns (as `ip netns set NAME auto`), and reads it back: two
   * rtnetlink requests on a socket in the host netns, no process.
   */
  async follow(netns: NetnsRef): Promise<number | undefined> {
    checkNetnsRef('follow netns', netns);
    const fd = openNetnsFile(resolveNetns(netns).file);
    if (fd === undefined) return undefined; // gone already: nothing to follow
    try {
      this.host ??= RtnlSocket.open(hostNetnsFile(this.opts.netns));
      try {
        this.host.request(rtnl.newNsid(fd));
      } catch (err) {
        if (!(err instanceof NetlinkError && err.errno === EEXIST)) throw err;
      }
      const [answer] = this.host.request(rtnl.getNsid(fd));
      return answer === undefined ? undefined : rtnl.nsidOf(answer);
    } finally {
      fs.closeSync(fd);
    }
  }

  close(): void {
    this.closed = true;
    this.child?.kill();
    this.host?.close();
  }
}
