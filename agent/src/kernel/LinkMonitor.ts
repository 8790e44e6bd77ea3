import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import type { KernelLogger } from './kernelLogger';
import type { NetnsRef } from './LinkDriver';
import { runCommand } from './runCommand';

/** One change the kernel reported: a link or an address, in the host netns or in another one. */
export interface LinkChange {
  /** "current": the host netns; a number: the nsid of another netns, as the host netns knows it. */
  nsid: 'current' | number;
  what: 'link' | 'address';
  deleted: boolean;
  ifname: string;
}

/** Where the domain hears about kernel changes; the real one is IpLinkMonitor, tests use a fake. */
export interface LinkChangeSource {
  /** Calls `onChange` for every change, and `onGap` when changes may have been missed (a restart). */
  start(onChange: (change: LinkChange) => void, onGap: () => void): void;
  /**
   * Asks the kernel to report a container netns's changes too (it needs an nsid in the host netns), and
   * returns that nsid; undefined where it cannot (a netns known only by pid or path).
   */
  follow(netns: NetnsRef): Promise<number | undefined>;
  close(): void;
}

const LINE = /^\[[^\]]*\] \[nsid (current|\d+)\]\[(LINK|ADDR)\](Deleted )?\d+: ([^:@\s]+)/;

/** Reads one line of `ip -o -ts monitor label`; undefined for lines that are not link or address changes. */
export function parseMonitorLine(line: string): LinkChange | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  return {
    nsid: m[1] === 'current' ? 'current' : Number(m[1]),
    what: m[2] === 'LINK' ? 'link' : 'address',
    deleted: m[3] !== undefined,
    ifname: m[4],
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

  async follow(netns: NetnsRef): Promise<number | undefined> {
    if (!('name' in netns)) return undefined;
    const ip = ['ip', ...(this.opts.netns ? ['-n', this.opts.netns] : [])];
    // "File exists" when it has one already: fine, it is read back below.
    await runCommand([...ip, 'netns', 'set', netns.name, 'auto']);
    const listed = await runCommand([...ip, 'netns', 'list-id']);
    const line = listed.stdout.split('\n').find((l) => l.endsWith(`(iproute2 netns name: ${netns.name})`));
    const id = line ? /^nsid (\d+) /.exec(line)?.[1] : undefined;
    return id === undefined ? undefined : Number(id);
  }

  close(): void {
    this.closed = true;
    this.child?.kill();
  }
}
