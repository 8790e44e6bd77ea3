import { quoteText } from './clientText';
import { InvalidSpecError } from './errors';
import type { NetnsRef } from './model';

const NETNS_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;
const NAMED_PATH = /^\/(?:var\/)?run\/netns\/([^/]+)$/;
const PID_PATH = /^\/proc\/(\d{1,10})\/ns\/net$/;

/**
 * Reads an endpoint's netns, once, when its request is checked. Allowed: a name ("c1", as `ip netns`),
 * "pid:1234", "/proc/1234/ns/net", or a name's path under /var/run/netns or /run/netns; they come out
 * as a name or a pid, so one container has one ref however it is written. Anything else is refused
 * here and never opened: the agent is root, and a client may not make it open a file of its choosing.
 */
export function parseNetnsRef(text: string, field = 'endpoint.netns'): NetnsRef {
  if (text === '')
    throw new InvalidSpecError(
      field,
      "the container's network namespace is required: a name (c1), pid:N or /proc/N/ns/net",
    );
  const pid = /^pid:(\d{1,10})$/.exec(text) ?? PID_PATH.exec(text);
  if (pid) return { pid: checkPid(Number(pid[1]), field) };
  const name = NAMED_PATH.exec(text)?.[1] ?? text;
  if (NETNS_NAME.test(name)) return { name };
  throw new InvalidSpecError(
    field,
    `${quoteText(text)} is not a netns name (as in ip netns), pid:N, /proc/N/ns/net or /var/run/netns/NAME`,
  );
}

function checkPid(pid: number, field: string): number {
  if (pid < 1 || pid > 4194304) throw new InvalidSpecError(field, `pid ${pid} is out of range`);
  return pid;
}
