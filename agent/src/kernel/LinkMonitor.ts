import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import type { KernelLogger } from './kernelLogger';
import { checkNetnsRef } from './batchTokens';
import type { NetnsRef } from './LinkDriver';
import { NetnsLauncher } from './NetnsLauncher';
import { resolveNetns } from './netnsRef';

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
  private readonly launcher = new NetnsLauncher();

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
   * `netns set NAME auto` then `netns list-id`, in one short-lived ip (a long-lived batch would keep
   * every netns it set open: ip never closes that file), started by the launcher's small shell rather
   * than by forking the agent.
   */
  async follow(netns: NetnsRef): Promise<number | undefined> {
    if (!('name' in netns)) return undefined;
    checkNetnsRef('follow netns', netns);
    const host = this.opts.netns === undefined ? undefined : resolveNetns({ name: this.opts.netns });
    // -force: "File exists" when it has an nsid already is fine; it is read back by the next line.
    const lines = [`netns set ${netns.name} auto`, 'netns list-id'];
    const r = await this.launcher.run(host, lines, { force: true });
    const json = r.stdout.split('\n').find((l) => l.startsWith('['));
    if (json === undefined) return undefined;
    try {
      const ids = JSON.parse(json) as { nsid?: number; name?: string }[];
      return ids.find((e) => e.name === netns.name)?.nsid;
    } catch {
      return undefined; // not what ip prints: as when the netns is not listed
    }
  }

  close(): void {
    this.closed = true;
    this.child?.kill();
    void this.launcher.close();
  }
}
