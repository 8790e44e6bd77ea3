import type { EndpointSpec, NetworkRecord } from '../domain/model';
import type { LinkDriver } from '../domain/ports/LinkDriver';

/**
 * The spec of an endpoint just attached, with the MAC its link really has. On a passthru network the
 * kernel gives the macvlan its parent's MAC and ignores the one asked (checkPassthruMac refuses an
 * explicit one): the endpoint records and reports the parent's, read from the host side once the link
 * is made. Other modes keep the MAC asked or derived, which the kernel takes as given.
 */
export async function withKernelMac(
  spec: EndpointSpec,
  network: NetworkRecord,
  driver: LinkDriver,
): Promise<EndpointSpec> {
  if (network.spec.mode !== 'passthru') return spec;
  const parent = await driver.getLink(network.status.parentLink || network.spec.parent);
  return parent?.mac ? { ...spec, macAddress: parent.mac } : spec;
}
