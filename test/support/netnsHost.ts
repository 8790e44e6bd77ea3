import { execFileSync } from 'node:child_process';
import { addNetns, addVethPair, deleteNetns } from '../../tools/netns';
import { uniqueNetnsName } from './netnsPrefix';

/** A throwaway host: a netns with `eth0`, whose peer sits in a "switch" netns. */
export interface NetnsHost {
  /** The host's netns (the agent's --netns). */
  ns: string;
  /** The switch's netns, holding the other end of the host's eth0. */
  sw: string;
  /** `ip -n <host ns> ARGS`, synchronously; returns stdout. */
  ip(...args: string[]): string;
  /** The host's links as `ip -d -j link show` reports them. */
  links(): Record<string, unknown>[];
  cleanup(): Promise<void>;
}

export async function makeNetnsHost(tag: string): Promise<NetnsHost> {
  const ns = uniqueNetnsName(tag);
  const sw = uniqueNetnsName(`${tag}sw`);
  await addNetns(ns);
  await addNetns(sw);
  await addVethPair('eth0', ns, 'port1', sw);
  const ip = (...args: string[]) => execFileSync('ip', ['-n', ns, ...args], { encoding: 'utf8' });
  ip('link', 'set', 'eth0', 'up');
  execFileSync('ip', ['-n', sw, 'link', 'set', 'port1', 'up']);
  return {
    ns,
    sw,
    ip,
    links: () => JSON.parse(ip('-d', '-j', 'link', 'show')) as Record<string, unknown>[],
    cleanup: async () => {
      await deleteNetns(ns);
      await deleteNetns(sw);
    },
  };
}
