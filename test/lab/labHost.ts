import { execFileSync } from 'node:child_process';

/** `ip ARGS` inside the lab, synchronously; returns stdout. */
export function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8' });
}

/** One link of a namespace as `ip -d -j link show` reports it, or undefined. */
export function linkIn(ns: string, name: string): Record<string, any> | undefined {
  const links = JSON.parse(ip('-n', ns, '-d', '-j', 'link', 'show')) as Record<string, any>[];
  return links.find((l) => l.ifname === name);
}

/**
 * A lab host: namespace `ns` with the "NICs" a real host brings at boot: `eth0` (a veth whose peer
 * sits in `<ns>-sw`), and `bond0`, an active-backup bond of `eth1` and `eth2`. Built the same at every
 * boot, as a host's NICs and its bond configuration come back after a reboot; the agent's own links
 * (sub-interfaces, dummies) are what it must restore.
 */
export function buildLabHost(ns: string): void {
  const sw = `${ns}-sw`;
  ip('netns', 'add', ns);
  ip('netns', 'add', sw);
  ip('-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'p0', 'netns', sw);
  ip('-n', ns, 'link', 'add', 'bond0', 'type', 'bond', 'mode', 'active-backup');
  for (const [nic, port] of [
    ['eth1', 'p1'],
    ['eth2', 'p2'],
  ]) {
    ip('-n', ns, 'link', 'add', nic, 'type', 'veth', 'peer', 'name', port, 'netns', sw);
    ip('-n', ns, 'link', 'set', nic, 'master', 'bond0');
    ip('-n', sw, 'link', 'set', port, 'up');
  }
  ip('-n', sw, 'link', 'set', 'p0', 'up');
  for (const link of ['eth0', 'eth1', 'eth2', 'bond0']) ip('-n', ns, 'link', 'set', link, 'up');
}

export function removeLabHost(ns: string): void {
  for (const name of [ns, `${ns}-sw`]) {
    try {
      ip('netns', 'del', name);
    } catch {
      // Not there.
    }
  }
}
