/**
 * iproute2 for lab tests: synchronous, argv arrays, JSON output parsed. Tests inside the lab may
 * change the kernel freely (it is new at every boot); assertInsideLab.ts makes sure that is where they are.
 */
import { execFileSync } from 'node:child_process';

/** One link as `ip -d -j link show` describes it (the fields the tests read). */
export interface IpLink {
  ifindex?: number;
  ifname: string;
  /** The MAC address. */
  address?: string;
  /** The link alias, where mvnet keeps its mark. */
  ifalias?: string;
  link?: string;
  master?: string;
  operstate?: string;
  flags?: string[];
  linkinfo?: {
    info_kind?: string;
    info_data?: Record<string, unknown>;
    info_slave_kind?: string;
    info_slave_data?: Record<string, unknown>;
  };
}

/** Runs `ip ARGS`, returns stdout; a failure throws with ip's stderr in the message. */
export function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs `bridge ARGS` (iproute2's bridge tool), returns stdout. */
export function bridge(...args: string[]): string {
  return execFileSync('bridge', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** All links of a namespace (the root one by default), with details. */
export function showLinks(netns?: string): IpLink[] {
  const prefix = netns ? ['-n', netns] : [];
  return JSON.parse(ip(...prefix, '-d', '-j', 'link', 'show')) as IpLink[];
}

/** One link, with details; throws if it does not exist. */
export function showLink(name: string, netns?: string): IpLink {
  const prefix = netns ? ['-n', netns] : [];
  const [link] = JSON.parse(ip(...prefix, '-d', '-j', 'link', 'show', 'dev', name)) as IpLink[];
  return link;
}
