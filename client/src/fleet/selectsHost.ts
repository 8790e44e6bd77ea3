import type { FleetHost, FleetNetwork } from '../../../proto/gen/mvnet/fleet/v1/fleet';
import { quoteText } from '../../../common/quoteText';

/** Label text shown as it is; any other is quoted. */
const PLAIN = /^[A-Za-z0-9_./-]{1,64}$/;

/**
 * Whether a network goes to a host: every host when it has no selector (or an empty one, as a
 * Kubernetes label selector), else the hosts that carry each of its matchLabels.
 */
export function selectsHost(network: Pick<FleetNetwork, 'hosts'>, host: Pick<FleetHost, 'labels'>): boolean {
  const wanted = Object.entries(network.hosts?.matchLabels ?? {});
  return wanted.every(([key, value]) => Object.hasOwn(host.labels, key) && host.labels[key] === value);
}

/** A selector for people: `rack=a, zone=b`, or `every host`. */
export function describeSelector(network: Pick<FleetNetwork, 'hosts'>): string {
  const wanted = Object.entries(network.hosts?.matchLabels ?? {});
  return wanted.length === 0 ? 'every host' : wanted.map(([k, v]) => `${shown(k)}=${shown(v)}`).join(', ');
}

function shown(text: string): string {
  return PLAIN.test(text) ? text : quoteText(text);
}
