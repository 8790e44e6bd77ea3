/**
 * Where a container's NetnsRef is on the machine: the file that is the netns (a bind mount under
 * /var/run/netns, /proc/PID/ns/net, another path), opened for setns, IFLA_NET_NS_FD and NETNSA_FD.
 */
import fs from 'node:fs';
import type { NetnsRef } from '../domain/model';

/** Where `ip netns` keeps its named namespaces (NETNS_RUN_DIR). */
const NETNS_RUN_DIR = '/var/run/netns';

/** The file that is the netns of a (checked: see checkNetnsRef) ref. */
export function resolveNetns(ref: NetnsRef): string {
  if ('name' in ref) return `${NETNS_RUN_DIR}/${ref.name}`;
  return 'pid' in ref ? `/proc/${ref.pid}/ns/net` : ref.path;
}

/** The file of the driver's host netns: a named one, or undefined for the agent's own. */
export function hostNetnsFile(name: string | undefined): string | undefined {
  return name === undefined ? undefined : resolveNetns({ name });
}

/** Opens a netns file; undefined when it is gone. */
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
export function netnsExists(ref: NetnsRef): boolean {
  return fs.existsSync(resolveNetns(ref));
}
