import type { NetnsRef } from '../kernel/LinkDriver';
import { normalizeMac } from './endpointMac';
import type { EndpointSpec } from './model';
import { checkInterfaceName, checkObjectName } from './names';
import { defaultEndpointName, parseNetnsRef } from './netnsRef';

/** An endpoint as a caller sends it: any of the optional fields may be "". */
export type EndpointInput = EndpointSpec;

/** A checked request for an endpoint: "" still means "pick one" for ifname, addresses and MAC. */
export interface EndpointRequest extends EndpointSpec {
  ref: NetnsRef;
}

/**
 * Checks an endpoint request field by field. The name defaults to one derived from the netns (a
 * container is its identity, as in Docker); addresses are checked against the network later, by IPAM.
 */
export function normalizeEndpointInput(input: EndpointInput): EndpointRequest {
  checkObjectName('endpoint.network', input.network);
  const ref = parseNetnsRef(input.netns);
  const name = input.name === '' ? defaultEndpointName(ref) : input.name;
  checkObjectName('endpoint.name', name);
  if (input.ifname !== '') checkInterfaceName('endpoint.ifname', input.ifname);
  const macAddress = input.macAddress === '' ? '' : normalizeMac(input.macAddress);
  return { ...input, name, macAddress, ref };
}
