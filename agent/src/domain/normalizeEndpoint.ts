import { normalizeMac } from './endpointMac';
import { MAX_ENDPOINT_LABELS_BYTES } from './limits';
import { normalizeLabels } from './normalizeLabels';
import type { EndpointSpec, NetnsRef } from './model';
import { checkInterfaceName, checkObjectName } from './names';
import { parseNetnsRef } from './parseNetnsRef';

/** An endpoint as a caller sends it: any of the optional fields may be ""; its netns is text. */
export type EndpointInput = Omit<EndpointSpec, 'netnsRef' | 'labels'> & { labels?: Record<string, string> };

/** A checked request for an endpoint: "" still means "pick one" for ifname, addresses and MAC. */
export type EndpointRequest = EndpointSpec;

/**
 * Checks an endpoint request field by field, and parses its netns. The name defaults to one derived
 * from the netns (a container is its identity, as in Docker); addresses are checked against the
 * network later, by IPAM.
 */
export function normalizeEndpointInput(input: EndpointInput): EndpointRequest {
  checkObjectName('endpoint.network', input.network);
  const netnsRef = parseNetnsRef(input.netns);
  const name = input.name === '' ? defaultEndpointName(netnsRef) : input.name;
  checkObjectName('endpoint.name', name);
  if (input.ifname !== '') checkInterfaceName('endpoint.ifname', input.ifname);
  const macAddress = input.macAddress === '' ? '' : normalizeMac(input.macAddress);
  const labels = normalizeLabels(input.labels ?? {}, 'endpoint.labels', MAX_ENDPOINT_LABELS_BYTES);
  return { ...input, name, macAddress, netnsRef, labels };
}

/**
 * The endpoint name a container gets when none is given, as a container is its identity in Docker:
 * the netns name, else a name derived from the pid or the path's last components.
 */
function defaultEndpointName(ref: NetnsRef): string {
  if ('name' in ref) return ref.name.slice(0, 64);
  if ('pid' in ref) return `pid-${ref.pid}`;
  const tail = ref.path
    .split('/')
    .filter(Boolean)
    .slice(-2)
    .join('-')
    .replace(/[^A-Za-z0-9_.-]/g, '-');
  return `ns-${tail}`.slice(0, 64);
}
