/**
 * What creations in flight hold, between their reservation (under the host mutex) and their commit:
 * endpoint names, addresses per network, and interface names per container netns. Kernel work happens
 * outside the mutex, so concurrent attaches overlap; these holds keep them from picking the same thing.
 */
export class Reservations {
  private readonly names = new Set<string>();
  private readonly addresses = new Map<string, Map<string, string>>();
  private readonly ifnames = new Set<string>();
  private readonly defaultRoutes = new Set<string>();
  private creatingCount = 0;

  /** How many new endpoints are being created (not yet committed): they count toward the host's bound. */
  creating(): number {
    return this.creatingCount;
  }

  /** Whether an endpoint (network/name) is being created or deleted. */
  isBusy(network: string, name: string): boolean {
    return this.names.has(`${network}/${name}`);
  }

  /** Addresses held in flight in a network: address → holder. */
  addressesOf(network: string): ReadonlyMap<string, string> {
    return this.addresses.get(network) ?? new Map();
  }

  isIfnameHeld(netnsKey: string, ifname: string): boolean {
    return this.ifnames.has(`${netnsKey}/${ifname}`);
  }

  /** Whether an attachment in flight will set the default routes of this netns. */
  isDefaultRouteHeld(netnsKey: string): boolean {
    return this.defaultRoutes.has(netnsKey);
  }

  /** Holds what one endpoint operation needs; the returned function releases it all. */
  hold(hold: {
    network: string;
    name: string;
    addresses?: string[];
    netnsKey?: string;
    ifname?: string;
    defaultRoute?: boolean;
    /** A new endpoint (not a re-attach, nor a deletion). */
    creating?: boolean;
  }): () => void {
    const nameKey = `${hold.network}/${hold.name}`;
    const ifnameKey = hold.ifname ? `${hold.netnsKey}/${hold.ifname}` : undefined;
    const routeKey = hold.defaultRoute ? hold.netnsKey : undefined;
    this.names.add(nameKey);
    if (hold.creating) this.creatingCount++;
    if (ifnameKey) this.ifnames.add(ifnameKey);
    if (routeKey) this.defaultRoutes.add(routeKey);
    const held = this.addresses.get(hold.network) ?? new Map<string, string>();
    this.addresses.set(hold.network, held);
    for (const address of hold.addresses ?? []) held.set(address, `endpoint ${hold.name} (being created)`);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (hold.creating) this.creatingCount--;
      this.names.delete(nameKey);
      if (ifnameKey) this.ifnames.delete(ifnameKey);
      if (routeKey) this.defaultRoutes.delete(routeKey);
      for (const address of hold.addresses ?? []) held.delete(address);
      // A network's map goes with its last hold: kept, every network name ever used stayed behind.
      if (held.size === 0 && this.addresses.get(hold.network) === held) this.addresses.delete(hold.network);
    };
  }
}
