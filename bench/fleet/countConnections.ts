import fs from 'node:fs';
import { Fleet } from '../../client/src/fleet/Fleet';
import type { FleetHost } from '../../client/src/fleet/fleetTypes';
import { benchRollout } from './fleetLayout';

/** ESTABLISHED TCP connections to `port` on 127.0.0.1, this side's ends, from /proc/net/tcp. */
function connectionsTo(port: number): number {
  const remote = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return fs
    .readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => {
      const [, , rem, state] = line.trim().split(/\s+/);
      return rem === remote && state === '01';
    }).length;
}

/**
 * How many TCP connections a Fleet holds to one agent once both its clients have called it: the
 * host's client (`fleet.client`) and the new one a rollout opens to see the host answer again
 * (`fleet.connect`). Two means the new client has a connection of its own; one, that it shares the first.
 */
export async function countConnections(host: FleetHost): Promise<number> {
  const fleet = new Fleet({ hosts: [host], networks: [], endpoints: [], rollout: benchRollout(100, 60_000) });
  const fresh = fleet.connect(host);
  try {
    await fleet.client(host).getHost();
    await fresh.getHost();
    return connectionsTo(Number(host.address.split(':').at(-1)));
  } finally {
    fresh.close();
    fleet.close();
  }
}
