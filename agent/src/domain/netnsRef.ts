import type { NetnsRef } from '../kernel/LinkDriver';
import { InvalidSpecError } from './errors';

const NETNS_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;
const NAMED_PATH = /^\/(?:var\/)?run\/netns\/([^/]+)$/;
const PID_PATH = /^\/proc\/(\d+)\/ns\/net$/;

/**
 * Reads an endpoint's netns: a name ("c1", as `ip netns`), an absolute path ("/var/run/netns/c1",
 * "/proc/1234/ns/net", any bind-mounted netns file) or "pid:1234". Paths that name a netns or a pid
 * are read as such, so that one container has one identity however it is written.
 */
export function parseNetnsRef(text: string, field = 'endpoint.netns'): NetnsRef {
  if (text === '')
    throw new InvalidSpecError(
      field,
      "the container's network namespace is required: a name (c1), a path or pid:N",
    );
  const pid = /^pid:(\d{1,10})$/.exec(text);
  if (pid) return { pid: checkPid(Number(pid[1]), field) };
  if (text.startsWith('/')) {
    if (text.includes('\0') || /(^|\/)\.\.?(\/|$)/.test(text))
      throw new InvalidSpecError(field, `${JSON.stringify(text)} is not a clean absolute path`);
    const named = NAMED_PATH.exec(text);
    if (named && NETNS_NAME.test(named[1])) return { name: named[1] };
    const byPid = PID_PATH.exec(text);
    if (byPid) return { pid: checkPid(Number(byPid[1]), field) };
    return { path: text };
  }
  if (!NETNS_NAME.test(text)) {
    throw new InvalidSpecError(
      field,
      `${JSON.stringify(text)} is neither a netns name (as in ip netns), an absolute path, nor pid:N`,
    );
  }
  return { name: text };
}

function checkPid(pid: number, field: string): number {
  if (pid < 1 || pid > 4194304) throw new InvalidSpecError(field, `pid ${pid} is out of range`);
  return pid;
}

/** A netns ref as one canonical text, for comparing the namespaces of two endpoints. */
export function netnsKey(ref: NetnsRef): string {
  if ('name' in ref) return `name:${ref.name}`;
  if ('pid' in ref) return `pid:${ref.pid}`;
  return `path:${ref.path}`;
}

/**
 * The endpoint name a container gets when none is given, as a container is its identity in Docker:
 * the netns name, else a name derived from the pid or the path's last components.
 */
export function defaultEndpointName(ref: NetnsRef): string {
  if ('name' in ref) return ref.name.slice(0, 64);
  if ('pid' in ref) return `pid-${ref.pid}`;
  const tail = ref.path
    .split('/')
    .filter(Boolean)
    .slice(-2)
    .join('-')
    .replace(/[^A-Za-z0-9_.-]/g, '-');
  return `ns-${tail}`.slice(0, 64);
}
