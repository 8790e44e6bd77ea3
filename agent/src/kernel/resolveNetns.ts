/**
 * Where a container's NetnsRef is on the machine: the file that is the netns (a bind mount under
 * /var/run/netns, or /proc/PID/ns/net). NetnsOpener opens it.
 */

/** Where `ip netns` keeps its named namespaces (NETNS_RUN_DIR). */
const NETNS_RUN_DIR = '/var/run/netns';

/** The file of the netns a name or a pid names. */
export function resolveNetns(ref: { name: string } | { pid: number }): string {
  return 'name' in ref ? `${NETNS_RUN_DIR}/${ref.name}` : `/proc/${ref.pid}/ns/net`;
}

/** The file of the driver's host netns: a named one, or undefined for the agent's own. */
export function hostNetnsFile(name: string | undefined): string | undefined {
  return name === undefined ? undefined : resolveNetns({ name });
}
