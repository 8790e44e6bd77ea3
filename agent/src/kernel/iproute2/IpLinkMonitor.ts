import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import readline from 'node:readline';
import type { KernelLogger } from '../kernelLogger';
import { checkNetnsRef } from '../linkArgumentChecks';
import type { NetnsRef } from '../../domain/model';
import type { LinkChange, LinkChangeSource } from '../../domain/ports/LinkChangeSource';
import { parseMonitorLine } from './parseMonitorLine';
import { getNsid, newNsid, nsidOf } from '../netlink/nsidMessages';
import { NetlinkError } from '../netlink/NetlinkError';
import { RtnlSocket } from '../netlink/RtnlSocket';
import { NetnsOpener } from '../NetnsOpener';
import { hostNetnsFile } from '../resolveNetns';

const EEXIST = 17;

/** A monitor that stopped is started again after this pause (one that cannot start fails this often). */
const RESTART_DELAY_MS = 100;

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

  private readonly namespaces: NetnsOpener;

  constructor(private readonly opts: { netns?: string; logger?: KernelLogger }) {
    this.namespaces = new NetnsOpener(opts.netns);
  }

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
      // Lines the process wrote before close() killed it may still be in the pipe: they go unreported.
      if (this.closed) return;
      const change = parseMonitorLine(line);
      if (change) onChange(change);
    });
    // A process that cannot start (no `ip`, no memory) emits 'error' and no 'exit'; one that dies,
    // 'exit'; either way, once, it is started again. Without an 'error' listener Node would throw the
    // error out of the event loop and end the agent.
    let ended = false;
    const restart = (why: Record<string, unknown>) => {
      if (this.closed || ended) return;
      ended = true;
      this.opts.logger?.warn(why, 'kernel monitor stopped: starting it again and re-reading the kernel');
      setTimeout(() => {
        this.start(onChange, onGap);
        onGap();
      }, RESTART_DELAY_MS).unref();
    };
    child.on('error', (err) => restart({ err: err.message }));
    child.once('exit', (code, signal) => restart({ code, signal }));
    child.unref();
  }

  /**
   * Gives the netns an nsid in the host netns (as `ip netns set NAME auto`), and reads it back: two
   * rtnetlink requests on a socket in the host netns, no process.
   */
  async follow(netns: NetnsRef): Promise<number | undefined> {
    checkNetnsRef('follow netns', netns);
    const opened = this.namespaces.open(netns, false); // an nsid needs no cookie
    if (opened === undefined) return undefined; // gone already: nothing to follow
    const { fd } = opened;
    try {
      this.host ??= RtnlSocket.open(hostNetnsFile(this.opts.netns));
      try {
        this.host.request(newNsid(fd));
      } catch (err) {
        if (!(err instanceof NetlinkError && err.errno === EEXIST)) throw err;
      }
      const [answer] = this.host.request(getNsid(fd));
      return answer === undefined ? undefined : nsidOf(answer);
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
