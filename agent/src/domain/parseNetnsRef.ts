import { InvalidSpecError } from './errors';
import type { NetnsRef } from './model';

const NETNS_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;
const NAMED_PATH = /^\/(?:var\/)?run\/netns\/([^/]+)$/;
const PID_PATH = /^\/proc\/(\d+)\/ns\/net$/;

/**
 * Reads an endpoint's netns, once, when its request is checked: a name ("c1", as `ip netns`), an
 * absolute path ("/var/run/netns/c1", "/proc/1234/ns/net", any bind-mounted netns file) or "pid:1234".
 * Paths that name a netns or a pid are read as such, so that one container has one ref however it is
 * written. The ref travels with the endpoint's spec from here on; nothing parses the text again.
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
