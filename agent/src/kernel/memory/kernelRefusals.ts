/**
 * What iproute2 6.1 prints, and exits with, for each refusal the in-memory kernel imitates; the
 * contract suite checks that the real driver gives the same messages.
 */
import { KernelError } from '../../domain/errors';

export const EEXIST = 'RTNETLINK answers: File exists';
export const EINVAL = 'RTNETLINK answers: Invalid argument';
export const EADDRNOTAVAIL = 'RTNETLINK answers: Cannot assign requested address';
export const EADDRINUSE = 'RTNETLINK answers: Address already in use';
export const UNKNOWN_TYPE = 'Error: Unknown device type.';
export const MTU_TOO_SMALL = 'Error: mtu less than device minimum.';
export const VLAN_ID_TAKEN = 'Error: 8021q: VLAN device already exists.';
export const IPV4_ADDRESS_TAKEN = 'Error: ipv4: Address already assigned.';
export const IPV4_GATEWAY_OFF_LINK = 'Error: Nexthop has invalid gateway.';
export const IPV6_GATEWAY_OFF_LINK = 'RTNETLINK answers: No route to host';
export const IPV4_ROUTE_DEV_DOWN = 'Error: Device for nexthop is not up.';
export const IPV6_ROUTE_DEV_DOWN = 'Error: Nexthop device is not up.';
export const noDevice = (name: string) => `Cannot find device "${name}"`;

/** The KernelError a driver throws for ip's `stderr` (as kernelErrorFrom would make it). */
export function refuse(action: string, stderr: string, exitCode = 2): KernelError {
  const short = stderr.replace(/^(Error: |RTNETLINK answers: )/, '');
  return new KernelError(`cannot ${action}: ${short}`, [], exitCode, stderr);
}

/** A unicast, locally administered MAC, as eth_hw_addr_random() makes them. */
export function randomMac(): string {
  const bytes = Array.from({ length: 6 }, () => Math.floor(Math.random() * 256));
  bytes[0] = (bytes[0] & 0xfe) | 0x02;
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** The kernel refuses a multicast or all-zero address for a new link (is_valid_ether_addr). */
export function isUsableMac(mac: string): boolean {
  const bytes = mac.split(':').map((b) => parseInt(b, 16));
  return (bytes[0] & 1) === 0 && bytes.some((b) => b !== 0);
}

/** How the kernel prints a MAC that ip read: lower case, two digits a byte. */
export function normalizeMac(mac: string): string {
  return mac
    .split(':')
    .map((b) => b.toLowerCase().padStart(2, '0'))
    .join(':');
}
