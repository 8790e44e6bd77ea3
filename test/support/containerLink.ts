/**
 * What a container sees of one of its links, read back from the kernel with `ip -j`: the facts the
 * CNI parity scenarios compare between plugins (kind, macvlan mode, MTU, MAC, addresses with their
 * DAD state, default routes).
 */
import { execFileSync } from 'node:child_process';

export interface ContainerAddress {
  /** `address/prefix`, as a CNI result writes it. */
  cidr: string;
  family: 'inet' | 'inet6';
  /** IPv6 duplicate address detection still running: the address cannot be used yet. */
  tentative: boolean;
  dadfailed: boolean;
}

export interface ContainerLink {
  kind: string | undefined;
  /** The macvlan mode (bridge, private, vepa, passthru), when the link is a macvlan. */
  mode: string | undefined;
  mtu: number;
  mac: string;
  up: boolean;
  /** Global addresses (link-local ones left out). */
  addresses: ContainerAddress[];
}

interface IpAddrJson {
  mtu: number;
  address: string;
  flags: string[];
  linkinfo?: { info_kind?: string; info_data?: { mode?: string } };
  addr_info: {
    family: 'inet' | 'inet6';
    local: string;
    prefixlen: number;
    scope: string;
    tentative?: boolean;
    dadfailed?: boolean;
  }[];
}

/** `ip -n NS ARGS` as JSON; undefined when ip fails (no such device, no such netns). */
function ipJson<T>(ns: string, args: string[]): T | undefined {
  try {
    return JSON.parse(
      execFileSync('ip', ['-n', ns, '-j', ...args], { encoding: 'utf8', stdio: 'pipe' }),
    ) as T;
  } catch {
    return undefined;
  }
}

/** The link `ifname` in netns `ns`, or undefined when there is none. */
export function readContainerLink(ns: string, ifname: string): ContainerLink | undefined {
  const [link] = ipJson<IpAddrJson[]>(ns, ['-d', 'addr', 'show', 'dev', ifname]) ?? [];
  if (!link) return undefined;
  return {
    kind: link.linkinfo?.info_kind,
    mode: link.linkinfo?.info_data?.mode,
    mtu: link.mtu,
    mac: link.address,
    up: link.flags.includes('UP'),
    addresses: link.addr_info
      .filter((a) => a.scope === 'global')
      .map((a) => ({
        cidr: `${a.local}/${a.prefixlen}`,
        family: a.family,
        tentative: a.tentative === true,
        dadfailed: a.dadfailed === true,
      })),
  };
}

/** The gateway of the default route of one family in `ns` (undefined: no default route). */
export function defaultGateway(ns: string, family: 4 | 6): string | undefined {
  const routes = ipJson<{ dst: string; gateway?: string }[]>(ns, [`-${family}`, 'route', 'show', 'default']);
  return routes?.find((r) => r.dst === 'default')?.gateway;
}

/** The MAC address of `ifname` in `ns` (a parent on the host side, say). */
export function macOf(ns: string, ifname: string): string | undefined {
  return ipJson<{ address: string }[]>(ns, ['link', 'show', 'dev', ifname])?.[0]?.address;
}
