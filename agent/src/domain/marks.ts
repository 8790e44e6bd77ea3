import { createHash } from 'node:crypto';

/**
 * Every link the agent creates carries a mark in its alias, so that after a crash or a reboot the agent
 * can tell its own links (adopt), its lost ones (orphans: remove) and foreign ones (never touch).
 */
const MARK_PREFIX = 'mvnet:';

/** The alias of a link the agent creates for a network. */
export function markFor(network: string): string {
  return `${MARK_PREFIX}${network}`;
}

/** The alias of an endpoint's link, inside its container's netns. */
export function endpointMark(network: string, endpoint: string): string {
  return `${MARK_PREFIX}${network}/${endpoint}`;
}

/** Whether a link alias is the agent's mark. */
export function isMvnetMark(alias: string | undefined): boolean {
  return alias !== undefined && alias.startsWith(MARK_PREFIX);
}

/**
 * The dummy link that stands in as the parent of an internal network. Derived from the network's name
 * (like Docker's "dm-<id>"), hashed because a network name can be 64 characters and a link name 15 bytes.
 */
export function dummyLinkName(network: string): string {
  return `mvd-${createHash('sha256').update(network).digest('hex').slice(0, 10)}`;
}

/** The host-access shim of a network: the host's own macvlan on the network's parent. */
export function shimLinkName(network: string): string {
  return `mvh-${createHash('sha256').update(network).digest('hex').slice(0, 10)}`;
}
