import type { Endpoint } from '../../../proto/gen/mvnet/v1/endpoint';

const NAMED_PATH = /^\/(?:var\/)?run\/netns\/([^/]+)$/;
const PID_PATH = /^\/proc\/(\d+)\/ns\/net$/;
const PID_REF = /^pid:(\d+)$/;

/**
 * One text per container namespace however it is written, as the agent reads a netns: `c1`,
 * `/run/netns/c1` and `/var/run/netns/c1` are the netns named c1; `pid:42` and `/proc/42/ns/net` are
 * process 42's; any other absolute path is that file.
 */
export function netnsIdentity(netns: string): string {
  const pid = PID_REF.exec(netns) ?? PID_PATH.exec(netns);
  if (pid) return `pid:${Number(pid[1])}`;
  const named = NAMED_PATH.exec(netns);
  if (named) return `name:${named[1]}`;
  return netns.startsWith('/') ? `path:${netns}` : `name:${netns}`;
}

/**
 * The endpoints `network disconnect NETWORK TARGET` means, among those of the network. As in Docker,
 * where a container is its own identity, TARGET is an endpoint's name or its container's netns: the
 * endpoint of that name if there is one, else every endpoint of that netns (a container attached twice
 * to one network leaves it entirely). None: the container is not connected.
 */
export function findContainerEndpoints(endpoints: readonly Endpoint[], target: string): Endpoint[] {
  const byName = endpoints.filter((e) => e.name === target);
  if (byName.length > 0) return byName;
  const identity = netnsIdentity(target);
  return endpoints.filter((e) => netnsIdentity(e.netns) === identity);
}
