import type { HostAddressing } from '../../domain/model';
import { addressOf, dumpAddresses, dumpRoutes, routeOf } from './addressRouteMessages';
import { dumpLinks, linkIndexOf, linkNameOf } from './linkMessages';
import type { RtnlSocket } from './RtnlSocket';

/**
 * The host's own addresses and main-table routes (LinkDriver.readHostAddressing), from three dumps on
 * the host's netlink socket: microseconds, no process. The link-local addresses the kernel gives every
 * link itself are left out, as `ip addr` users mean them.
 */
export function readHostAddressing(socket: RtnlSocket): HostAddressing {
  const names = new Map(socket.request(dumpLinks()).map((r) => [linkIndexOf(r), linkNameOf(r)]));
  const addresses = socket
    .request(dumpAddresses())
    .map(addressOf)
    .filter((a) => a.configured)
    .map((a) => ({ dev: names.get(a.index) ?? '', cidr: a.cidr }));
  const routes = socket.request(dumpRoutes()).flatMap((reply) => {
    const route = routeOf(reply);
    if (!route) return [];
    const dev = route.oif === undefined ? undefined : names.get(route.oif);
    return [
      {
        destination: route.destination,
        ...(dev ? { dev } : {}),
        ...(route.gateway ? { gateway: route.gateway } : {}),
      },
    ];
  });
  return { addresses, routes };
}
