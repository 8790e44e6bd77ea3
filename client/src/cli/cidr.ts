import net from 'node:net';
import ipaddr from 'ipaddr.js';

/** An address family, as `net.isIP` tells it. */
export type Family = 4 | 6;

/** A parsed CIDR prefix: its family and the [address, bits] pair ipaddr.js matches against. */
export interface ParsedCidr {
  family: Family;
  range: [ipaddr.IPv4 | ipaddr.IPv6, number];
}

/**
 * Parses `192.168.10.0/24` or `2001:db8::/64`. Host bits may be set (the agent refuses them with a
 * better message); only plain dotted-quad IPv4 is accepted, not ipaddr.js's legacy forms like `10/8`.
 */
export function parseCidr(text: string): ParsedCidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const family = net.isIP(text.slice(0, slash));
  if (family === 0 || !/^\d{1,3}$/.test(text.slice(slash + 1))) return undefined;
  try {
    return { family: family as Family, range: ipaddr.parseCIDR(text) };
  } catch {
    return undefined;
  }
}

/** The family of an address without prefix, or undefined when it is not one. */
export function addressFamily(text: string): Family | undefined {
  const family = net.isIP(text);
  return family === 0 ? undefined : (family as Family);
}

/** Whether `address` (an IP, or the base address of a CIDR) lies inside `subnet`. */
export function cidrContains(subnet: ParsedCidr, address: string): boolean {
  const ip = ipaddr.parse(address.split('/')[0]);
  return ip.kind() === subnet.range[0].kind() && ip.match(subnet.range);
}

/**
 * An address in CIDR form, with the prefix length of the first of `cidrs` that contains it (as Docker
 * shows an endpoint's `IPv4Address`: `192.168.0.3/24`); "" stays "", and an address in none of them is
 * returned as it is.
 */
export function withPrefixLength(address: string, cidrs: readonly string[]): string {
  if (addressFamily(address) === undefined) return address;
  for (const cidr of cidrs) {
    const subnet = parseCidr(cidr);
    if (subnet && cidrContains(subnet, address)) return `${address}/${subnet.range[1]}`;
  }
  return address;
}
