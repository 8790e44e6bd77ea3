/**
 * Who gets which address: every attach of the benchmark goes to a container namespace of its own,
 * made beforehand, with an address of its own in one /16, so that no side ever waits for the kernel
 * to free something another attach used (a MAC, an address), and a correctness check can tell each
 * attach apart.
 */
import type { SwitchedHost } from '../shared/benchNamespaces';

/** Every namespace the benchmark makes starts with this; all of them are removed at start and end. */
export const BENCH_NETNS_PREFIX = 'mvb-';

/** The throwaway host (the agent's --netns; the CNI plugin runs in it) and its "switch". */
export const HOST_NETNS = `${BENCH_NETNS_PREFIX}host`;
export const SWITCH_NETNS = `${BENCH_NETNS_PREFIX}switch`;

/** The physical network: the host's eth0 is plugged into it; the gateway sits on the switch. */
export const SUBNET = '10.88.0.0/16';
export const GATEWAY = '10.88.0.1';
export const PREFIX_LENGTH = 16;

/** The host and its switch, as shared/benchNamespaces.ts builds them. */
export const BENCH_HOST: SwitchedHost = {
  host: HOST_NETNS,
  switch: SWITCH_NETNS,
  gateway: GATEWAY,
  prefixLength: PREFIX_LENGTH,
};

/** One attach to make: a container netns (created beforehand) and the address it gets. */
export interface Attachment {
  container: string;
  /** `10.88.B.N/16`. */
  cidr: string;
  /** The address alone, as the SDK takes it. */
  address: string;
}

/**
 * The attachments of one batch: `count` containers `mvb-<tag>-<i>`, with addresses from block
 * `block` (10.88.<block>.2 and up). Blocks 1–254 are free; each batch takes its own.
 */
export function planAttachments(tag: string, block: number, count: number): Attachment[] {
  if (block < 1 || block > 254 || count > 253) throw new Error(`no room for ${count} in block ${block}`);
  return Array.from({ length: count }, (_, i) => {
    const address = `10.88.${block}.${i + 2}`;
    return { container: `${BENCH_NETNS_PREFIX}${tag}-${i}`, cidr: `${address}/${PREFIX_LENGTH}`, address };
  });
}
