import { execFileSync } from 'node:child_process';
import { addNetns, addVethPair, deleteNetns } from '../../tools/netns';
import { uniqueNetnsName } from './netnsPrefix';

/** `ip -n NS ARGS` synchronously; returns stdout. */
export function ipIn(ns: string, ...args: string[]): string {
  return execFileSync('ip', ['-n', ns, ...args], { encoding: 'utf8' });
}

/** Runs a command inside a netns; returns its exit code and output (never throws). */
export function runInNetns(ns: string, argv: string[]): { code: number; output: string } {
  try {
    return {
      code: 0,
      output: execFileSync('ip', ['netns', 'exec', ns, ...argv], { encoding: 'utf8', stdio: 'pipe' }),
    };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** Pings once from a netns, waiting up to 2 s for the answer; true when it came. */
export function pings(fromNs: string, address: string): boolean {
  return runInNetns(fromNs, ['ping', '-c', '1', '-W', '2', address]).code === 0;
}

/**
 * A physical network in namespaces: a "switch" (a bridge, holding the physical network's gateway
 * 192.168.0.1/24 and fd00:0::1/64) and hosts whose eth0 is plugged into it.
 */
export interface SwitchedHosts {
  sw: string;
  hosts: string[];
  /** Makes a container netns (removed by cleanup). */
  container(tag: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function makeSwitchedHosts(tag: string, count: number): Promise<SwitchedHosts> {
  const sw = uniqueNetnsName(`${tag}sw`);
  const made = [sw];
  await addNetns(sw);
  ipIn(sw, 'link', 'add', 'br0', 'type', 'bridge');
  ipIn(sw, 'addr', 'add', '192.168.0.1/24', 'dev', 'br0');
  ipIn(sw, 'addr', 'add', 'fd00::1/64', 'dev', 'br0', 'nodad');
  ipIn(sw, 'link', 'set', 'br0', 'up');
  const hosts: string[] = [];
  for (let i = 1; i <= count; i++) {
    const host = uniqueNetnsName(`${tag}h${i}`);
    made.push(host);
    hosts.push(host);
    await addNetns(host);
    await addVethPair('eth0', host, `port${i}`, sw);
    ipIn(sw, 'link', 'set', `port${i}`, 'master', 'br0', 'up');
    ipIn(host, 'link', 'set', 'eth0', 'up');
  }
  return {
    sw,
    hosts,
    container: async (name) => {
      const ns = uniqueNetnsName(name);
      made.push(ns);
      await addNetns(ns);
      return ns;
    },
    cleanup: async () => {
      for (const ns of made) await deleteNetns(ns);
    },
  };
}
