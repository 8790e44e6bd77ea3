import type { ApplyHostView } from '../../domain/apply/planApply';
import type { EndpointSpec, NetnsRef } from '../../domain/model';
import { netnsIdentity } from '../../domain/netnsIdentity';
import type { HostState } from '../../domain/ports/HostState';
import type { KernelCapabilities, LinkDriver } from '../../domain/ports/LinkDriver';

/**
 * Reads what an Apply's plan needs (ApplyHostView): the state, the host's links and addressing, and
 * which of the containers' namespaces exist, those the spec names and those of the host's endpoints. A
 * ref the driver refuses to open (not a network namespace) counts as missing.
 */
export async function readApplyView(
  deps: { state: HostState; driver: LinkDriver; capabilities: KernelCapabilities },
  endpoints: readonly Pick<EndpointSpec, 'netnsRef'>[],
): Promise<ApplyHostView> {
  const { state, driver } = deps;
  const current = state.listEndpoints();
  const refs = new Map<string, NetnsRef>();
  for (const { netnsRef } of [...endpoints, ...current.map((e) => e.spec)])
    refs.set(netnsIdentity(netnsRef), netnsRef);
  const [links, addressing, exists] = await Promise.all([
    driver.listLinks(),
    driver.readHostAddressing(),
    Promise.all(
      [...refs].map(async ([id, ref]) => [id, await driver.netnsExists(ref).catch(() => false)] as const),
    ),
  ]);
  const existing = new Map(exists);
  return {
    networks: state.listNetworks(),
    endpoints: current,
    links: new Map(links.map((l) => [l.name, l])),
    capabilities: deps.capabilities,
    addressing,
    hostId: state.hostId(),
    netnsExists: (ref) => existing.get(netnsIdentity(ref)) ?? false,
  };
}
