/**
 * The benchmark's side of its bare rtnetlink listener (rtnlLinkListener.py): started in a netns with
 * `ip netns exec`, it reports every link notification it hears, timed on CLOCK_MONOTONIC at its
 * receipt. It exits when its stdin closes, so it never outlives the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { findRepoRoot } from '../../tools/findRepoRoot';
import { runChecked } from '../shared/runProcess';

/** Debian's python3 (the project's other Python, test/python, runs on it too); standard library only. */
const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(findRepoRoot(), 'bench', 'watch', 'rtnlLinkListener.py');
const START_DEADLINE_MS = 10_000;
const EXIT_DEADLINE_MS = 5000;

export interface LinkNotice {
  /** CLOCK_MONOTONIC ns at the listener's receipt. */
  atNs: bigint;
  type: 'NEW' | 'DEL';
  /** The nsid of the link's netns in the listener's; undefined for the listener's own netns. */
  nsid?: number;
  index: number;
  ifname: string;
}

interface Waiter {
  match: (n: LinkNotice) => boolean;
  resolve: (n: LinkNotice) => void;
}

/** `Python 3.11.2`: the listener's interpreter, for the Machine lines. */
export async function listenerPython(): Promise<string> {
  return (await runChecked([PYTHON, '-V'])).trim();
}

function parseNotice(line: string): LinkNotice | undefined {
  const m = /^(\d+) (NEW|DEL) (-|-?\d+) (\d+) (\S+)$/.exec(line);
  if (!m) return undefined;
  const [, at, type, nsid, index, ifname] = m;
  return {
    atNs: BigInt(at),
    type: type as 'NEW' | 'DEL',
    nsid: nsid === '-' ? undefined : Number(nsid),
    index: Number(index),
    ifname,
  };
}

export class LinkListener {
  private readonly waiters = new Set<Waiter>();
  /** Notifications heard, in all. */
  notices = 0;

  private constructor(private readonly child: ChildProcess) {}

  /** Starts the listener in `netns`; resolves once it listens. */
  static async start(netns: string): Promise<LinkListener> {
    const child = spawn('ip', ['netns', 'exec', netns, PYTHON, '-u', SCRIPT], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const listener = new LinkListener(child);
    const lines = readline.createInterface({ input: child.stdout! });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('the rtnetlink listener did not start')),
          START_DEADLINE_MS,
        );
        child.once('error', (err) => reject(new Error(`cannot run the rtnetlink listener: ${err.message}`)));
        child.once('exit', (code) => reject(new Error(`the rtnetlink listener exited (${code})`)));
        lines.on('line', (line) => {
          if (line === 'ready') {
            clearTimeout(timer);
            resolve();
          } else listener.hear(line);
        });
      });
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    return listener;
  }

  /** The next notification `match` takes, heard after this call; rejects after `timeoutMs`. */
  expect(match: (n: LinkNotice) => boolean, timeoutMs: number): Promise<LinkNotice> {
    const awaited = new Promise<LinkNotice>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error('the rtnetlink listener heard no such link change'));
      }, timeoutMs);
      const waiter: Waiter = { match, resolve: (n) => (clearTimeout(timer), resolve(n)) };
      this.waiters.add(waiter);
    });
    // Its caller awaits it only once it has made the change: a timeout before then is not unhandled.
    awaited.catch(() => undefined);
    return awaited;
  }

  /** Closes its stdin (it exits); kills it if it does not. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin!.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_DEADLINE_MS);
    await exited;
    clearTimeout(timer);
  }

  private hear(line: string): void {
    const notice = parseNotice(line);
    if (!notice) return;
    this.notices++;
    for (const waiter of this.waiters) {
      if (!waiter.match(notice)) continue;
      this.waiters.delete(waiter);
      waiter.resolve(notice);
    }
  }
}
