import type { LinkInfo } from './ports/LinkDriver';
import type { NetworkState } from './model';

/** Operational states in which a link carries no traffic. */
const DOWN_STATES = new Set(['DOWN', 'LOWERLAYERDOWN', 'NOTPRESENT']);

/** Whether a link is up enough to carry endpoints' traffic. */
export function isLinkUp(link: LinkInfo): boolean {
  return link.adminUp && !DOWN_STATES.has(link.operState);
}

/**
 * The state of a network as seen from its parent link, and from that link's own lower (eth0 under
 * eth0.10), which is named as the cause when it is the one down.
 */
export function observeNetworkState(
  parentLink: string,
  link: LinkInfo | undefined,
  lower?: LinkInfo,
): { state: NetworkState; message: string } {
  if (!link)
    return { state: 'parent-missing', message: `parent link ${parentLink} is missing from the host` };
  if (!isLinkUp(link)) {
    const why = (l: LinkInfo) => (l.adminUp ? l.operState : 'admin down');
    const cause = lower && !isLinkUp(lower) ? `: its lower link ${lower.name} is down (${why(lower)})` : '';
    return { state: 'degraded', message: `parent link ${parentLink} is down (${why(link)})${cause}` };
  }
  return { state: 'ready', message: '' };
}
