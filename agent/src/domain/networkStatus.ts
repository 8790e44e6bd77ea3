import type { LinkInfo } from '../kernel/LinkDriver';
import type { NetworkState } from './model';

/** Operational states in which a link carries no traffic. */
const DOWN_STATES = new Set(['DOWN', 'LOWERLAYERDOWN', 'NOTPRESENT']);

/** Whether a link is up enough to carry endpoints' traffic. */
export function isLinkUp(link: LinkInfo): boolean {
  return link.adminUp && !DOWN_STATES.has(link.operState);
}

/** The state of a network as seen from its parent link. */
export function observeNetworkState(
  parentLink: string,
  link: LinkInfo | undefined,
): { state: NetworkState; message: string } {
  if (!link)
    return { state: 'parent-missing', message: `parent link ${parentLink} is missing from the host` };
  if (!isLinkUp(link)) {
    return {
      state: 'degraded',
      message: `parent link ${parentLink} is down (${link.adminUp ? link.operState : 'admin down'})`,
    };
  }
  return { state: 'ready', message: '' };
}
