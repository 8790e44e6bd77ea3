import { createHash } from 'node:crypto';
import { quoteText } from './clientText';
import { InvalidSpecError } from './errors';

/**
 * A stable MAC for an endpoint, derived from network and endpoint name, so that a re-attached container
 * keeps it (switches' and neighbours' tables stay right): locally administered, unicast. The host's id
 * (made once, kept in its state) goes in too: an orchestrator gives the same network and container names
 * on every host, and two hosts' "web" on one L2 segment must not share a MAC.
 */
export function deriveMac(network: string, endpoint: string, hostId: string): string {
  const bytes = createHash('sha256').update(`${hostId}/${network}/${endpoint}`).digest().subarray(0, 6);
  bytes[0] = (bytes[0] & 0xfc) | 0x02;
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/**
 * A stable MAC for a network's host-access shim, derived as an endpoint's is: a shim made again (a
 * rollback, a restore after a reboot) answers with the MAC the physical network already has for it.
 */
export function deriveShimMac(network: string, hostId: string): string {
  return deriveMac(network, '(host access)', hostId);
}

/**
 * A passthru macvlan has its parent's MAC, whatever is asked: the kernel gives it the lower device's,
 * and setting another afterwards would set the parent NIC's. An explicit MAC on such a network is
 * refused; the endpoint reports the parent's (read after the attach).
 */
export function checkPassthruMac(
  mode: string,
  macAddress: string,
  network: string,
  field = 'endpoint.mac_address',
): void {
  if (mode === 'passthru' && macAddress !== '') {
    throw new InvalidSpecError(
      field,
      `network ${network} is in passthru mode: its endpoint takes the parent NIC's MAC, and setting ${macAddress} would change the NIC's own; leave mac_address empty`,
    );
  }
}

/** Checks a MAC given by the caller: six hex octets, unicast, not all zero; returns it lower-case. */
export function normalizeMac(mac: string, field = 'endpoint.mac_address'): string {
  const text = mac.toLowerCase().replace(/-/g, ':');
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(text)) {
    throw new InvalidSpecError(field, `${quoteText(mac)} is not a MAC address like 02:42:c0:a8:00:03`);
  }
  if ((parseInt(text.slice(0, 2), 16) & 1) === 1)
    throw new InvalidSpecError(field, `${mac} is a multicast address: use a unicast one`);
  if (text === '00:00:00:00:00:00') throw new InvalidSpecError(field, 'the all-zero MAC is not an address');
  return text;
}
