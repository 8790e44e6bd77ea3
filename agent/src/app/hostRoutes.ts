import type { Logger } from 'pino';
import { hostRoute } from '../domain/ipam';
import type { EndpointSpec, NetworkRecord } from '../domain/model';
import type { LinkDriver } from '../domain/ports/LinkDriver';

/**
 * With host access, the host reaches each endpoint through the network's shim: a host route per
 * address, added as the endpoint comes and deleted as it goes. A failure leaves the endpoint working for
 * everyone but the host: logged, not thrown.
 */
export async function routeFromHost(
  driver: LinkDriver,
  spec: EndpointSpec,
  network: NetworkRecord,
  add: boolean,
  logger: Logger,
): Promise<void> {
  const { hostLink } = network.status;
  if (!hostLink) return;
  for (const address of [spec.ipv4Address, spec.ipv6Address].filter(Boolean)) {
    try {
      if (add) await driver.addRoute(hostRoute(address), hostLink);
      else await driver.deleteRoute(hostRoute(address), hostLink);
    } catch (err) {
      logger.warn(
        { err, address, hostLink, network: spec.network, endpoint: spec.name },
        'could not change the host route to the endpoint',
      );
    }
  }
}
