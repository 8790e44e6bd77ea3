/**
 * What both drivers check of an ARP probe (LinkDriver.probeArp) before anything is made, and how they
 * refuse, in the same words (the contract suite holds them to it): hostile values are KernelErrors
 * naming the argument; a link the probe cannot hang off is a PreconditionError.
 */
import ipaddr from 'ipaddr.js';
import { KernelError, PreconditionError } from '../domain/errors';
import type { LinkInfo } from '../domain/ports/LinkDriver';
import { checkIfname } from './linkArgumentChecks';

/** At most this many probes per call: RFC 5227's own PROBE_NUM is 3. */
export const MAX_ARP_TRIES = 10;
/** At most this long between two probes, in ms: a call lasts at most MAX_ARP_TRIES times it. */
export const MAX_ARP_INTERVAL_MS = 10_000;

export interface ArpProbeOptions {
  tries: number;
  intervalMs: number;
}

/** Operstates of a link that cannot carry a frame: a probe through it is silent without sending one. */
const SILENT_OPERSTATES = new Set(['DOWN', 'LOWERLAYERDOWN', 'NOTPRESENT']);

/**
 * Checks a probe's values; returns the action its errors name ("probe ARP for 10.1.0.1 on eth0").
 * The link name is checked first, then the address, so that no unchecked value is ever echoed.
 */
export function checkArpProbe(link: string, address: string, o: ArpProbeOptions): string {
  checkIfname('probe ARP', 'link', link);
  if (!ipaddr.IPv4.isValidFourPartDecimal(address)) {
    throw new KernelError(
      `cannot probe ARP on ${link}: address ${JSON.stringify(address)} is not an IPv4 address`,
    );
  }
  const action = `probe ARP for ${address} on ${link}`;
  const range = ipaddr.IPv4.parse(address).range();
  if (['unspecified', 'broadcast', 'multicast', 'loopback'].includes(range)) {
    throw new KernelError(`cannot ${action}: address ${address} is ${range}, not a host's`);
  }
  const bounded = (v: number, max: number) => Number.isInteger(v) && v >= 1 && v <= max;
  if (!bounded(o.tries, MAX_ARP_TRIES)) {
    throw new KernelError(`cannot ${action}: tries ${o.tries} is outside 1..${MAX_ARP_TRIES}`);
  }
  if (!bounded(o.intervalMs, MAX_ARP_INTERVAL_MS)) {
    throw new KernelError(
      `cannot ${action}: intervalMs ${o.intervalMs} is outside 1..${MAX_ARP_INTERVAL_MS}`,
    );
  }
  return action;
}

/** The refusal of a probe on a link the host does not have. */
export function noProbedLink(action: string, name: string): PreconditionError {
  return new PreconditionError(`cannot ${action}: the host has no link ${name}`);
}

/**
 * Whether the host link a probe hangs off can carry it: a missing link, or one that is not Ethernet
 * (a loopback, a tunnel: no ARP there), is a PreconditionError; one that is down, or whose lower is, is
 * false: no answer can come.
 */
export function probedLinkCarries(action: string, name: string, link: LinkInfo | undefined): boolean {
  if (!link) throw noProbedLink(action, name);
  if (link.linkType !== 'ether') {
    throw new PreconditionError(
      `cannot ${action}: link ${name} is not Ethernet (${link.linkType}): it has no ARP`,
    );
  }
  return link.adminUp && !SILENT_OPERSTATES.has(link.operState);
}
