/**
 * Apply on the in-memory kernel, for the unit tests: an ApplyService on a MemoryHost (its own mutex and
 * gate, shared with the host's network and endpoint services, as createHostServices wires them), short
 * spec builders, and a snapshot of everything an Apply could change (kernel and state) to compare.
 */
import { ApplyService, type ApplyRequest } from '../../agent/src/app/apply/ApplyService';
import { EndpointService } from '../../agent/src/app/EndpointService';
import { MutationGate } from '../../agent/src/app/MutationGate';
import { Mutex } from '../../agent/src/app/Mutex';
import { NetworkService } from '../../agent/src/app/NetworkService';
import type { ApplySpecInput, PlanStep } from '../../agent/src/domain/apply/applyModel';
import type { NetnsRef } from '../../agent/src/domain/model';
import type { EndpointInput } from '../../agent/src/domain/normalizeEndpoint';
import type { NetworkInput } from '../../agent/src/domain/normalizeNetwork';
import { makeMemoryHost, networkInput, silentLogger, subnet24, type MemoryHost } from './memoryHost';

/** A MemoryHost whose services all pass one gate and one mutex, with Apply among them. */
export interface ApplyHost {
  host: MemoryHost;
  apply: ApplyService;
  networks: NetworkService;
  endpoints: EndpointService;
  gate: MutationGate;
  /** Opens the same state again on the same kernel, with a new ApplyService (not resumed yet). */
  restart(): Promise<ApplyHost>;
  close(): void;
}

export async function applyHostOn(host: MemoryHost): Promise<ApplyHost> {
  const { store: state, driver } = host;
  const capabilities = await driver.probeCapabilities();
  const mutex = new Mutex();
  const gate = new MutationGate();
  const deps = { state, driver, capabilities, logger: silentLogger, mutex, gate };
  const apply = new ApplyService(deps);
  const made: ApplyHost = {
    host,
    apply,
    networks: new NetworkService(deps),
    endpoints: new EndpointService(deps),
    gate,
    restart: async () => {
      apply.stop();
      return applyHostOn(await host.restart());
    },
    close: () => {
      apply.stop();
      host.close();
    },
  };
  return made;
}

/** A host on the in-memory kernel with eth0 (all capabilities) and containers c1, c2, c3. */
export async function makeApplyHost(containers = ['c1', 'c2', 'c3']): Promise<ApplyHost> {
  const host = await makeMemoryHost();
  for (const name of containers) host.driver.addNetnsBehindBack({ name });
  return applyHostOn(host);
}

/** Network `name` on eth0 with 192.168.n.0/24 (gateway .1). */
export function net(name: string, n: number, overrides: Partial<NetworkInput> = {}): NetworkInput {
  return networkInput({ name, parent: 'eth0', subnets: subnet24(n), ...overrides });
}

/** Endpoint `name` of `network` in container `netns` (the endpoint's name by default). */
export function ep(
  name: string,
  network: string,
  overrides: Partial<EndpointInput> = {},
): EndpointInput & { labels: Record<string, string> } {
  return {
    name,
    network,
    netns: name,
    ifname: '',
    ipv4Address: '',
    ipv6Address: '',
    macAddress: '',
    labels: {},
    ...overrides,
  };
}

export function spec(networks: NetworkInput[], endpoints: EndpointInput[] = []): ApplySpecInput {
  return { networks, endpoints };
}

/** A request with the defaults a plain Apply has. */
export function request(s: ApplySpecInput, overrides: Partial<ApplyRequest> = {}): ApplyRequest {
  return { spec: s, dryRun: false, expectedRevision: 0, probeGateways: false, ...overrides };
}

/** `CREATE network n1`, `REPLACE endpoint n1/c1`: a plan step in a few words. */
export function describeStep(step: PlanStep): string {
  return step.kind === 'network'
    ? `${step.action} network ${step.name}`
    : `${step.action} endpoint ${step.network}/${step.name}`;
}

/**
 * Everything an Apply may change, kernel and state: the host's links with their addresses and routes,
 * each container's links (addresses, MAC, alias, up) and routes, then the state's networks, endpoints,
 * leases, revision, events and journal. Link indexes are left out (a link an undo makes again is the
 * same link for a client, with a new index), and so are the MACs of sub-interfaces, which the real
 * kernel copies from their lower and the in-memory one makes up at random.
 */
export async function snapshotOf(
  host: Pick<MemoryHost, 'driver' | 'store'>,
  containers: readonly NetnsRef[],
) {
  const { driver, store } = host;
  const hostLinks = (await driver.listLinks()).map(({ index: _index, ...l }) => ({
    ...l,
    mac: l.kind === 'vlan' ? '' : l.mac,
    addresses: driver.addressesOf(l.name),
  }));
  hostLinks.sort((a, b) => a.name.localeCompare(b.name));
  const inContainers = [];
  for (const ref of containers) {
    const names = (await driver.listLinkNamesIn(ref)).sort();
    const links = [];
    for (const name of names) {
      const { link } = await driver.inspectEndpoint(ref, name);
      if (link) links.push({ ...link, index: undefined });
    }
    inContainers.push({ ref, links, routes: driver.routesIn(ref).sort() });
  }
  return {
    hostLinks,
    hostRoutes: driver.routesIn().sort(),
    inContainers,
    revision: store.revision(),
    networks: store.listNetworks(),
    endpoints: store.listEndpoints(),
    leases: store.listNetworks().map((n) => [n.spec.name, [...store.leases(n.spec.name)]]),
    events: store.eventsAfter(0).length,
    pending: store.pendingOps(),
  };
}
