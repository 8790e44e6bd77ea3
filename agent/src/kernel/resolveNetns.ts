/**
 * A container's NetnsRef, resolved into what the iproute2 driver needs: the file that is the netns,
 * and how to run ip inside it; and the names the in-memory driver and messages give it.
 */
import fs from 'node:fs';
import { NetnsRef } from '../domain/ports/LinkDriver';

/** Where `ip netns` keeps its named namespaces (NETNS_RUN_DIR). */
export const NETNS_RUN_DIR = '/var/run/netns';

export interface ResolvedNetns {
  /** The file that is the netns: a bind mount under /var/run/netns, a path, /proc/PID/ns/net. */
  file: string;
  /** The argv that runs ip inside the netns, before ip's own options. */
  ipArgv: readonly string[];
}

/** Resolves a (checked: see checkNetnsRef) NetnsRef. */
export function resolveNetns(ref: NetnsRef): ResolvedNetns {
  if ('name' in ref) {
    // `ip -n` costs one exec less than nsenter + ip.
    return { file: `${NETNS_RUN_DIR}/${ref.name}`, ipArgv: ['ip', '-n', ref.name] };
  }
  const file = 'pid' in ref ? `/proc/${ref.pid}/ns/net` : ref.path;
  return { file, ipArgv: ['nsenter', `--net=${file}`, 'ip'] };
}

/** The file of the driver's host netns: a named one, or undefined for the agent's own. */
export function hostNetnsFile(name: string | undefined): string | undefined {
  return name === undefined ? undefined : resolveNetns({ name }).file;
}

/** Opens a netns file (for IFLA_NET_NS_FD, NETNSA_FD, setns); undefined when it is gone. */
export function openNetnsFile(file: string): number | undefined {
  try {
    return fs.openSync(file, fs.constants.O_RDONLY);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Whether the netns is there: its file exists. (A named netns whose mount was removed behind ip's
 * back, leaving a plain file, passes this check; entering it then fails, and the caller reports that.)
 */
export function netnsFileExists(netns: ResolvedNetns): boolean {
  return fs.existsSync(netns.file);
}
