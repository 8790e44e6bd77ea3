/**
 * An Apply's spec is checked whole before anything else: each network and endpoint as the imperative
 * calls check it, then across objects (names given twice, endpoints of networks the spec lacks,
 * subnets that overlap, addresses and interface names given twice). Every problem is reported at once,
 * each naming its path in the request (`spec.networks[2].vlan_id`); a refused spec changes nothing.
 */
import { mapKeyField, quoteText } from '../clientText';
import { InvalidSpecError, SpecViolationsError, type FieldViolation } from '../errors';
import { findOverlap, type OwnedPrefix } from '../findOverlap';
import { parsePrefix } from '../ip';
import { MAX_ENDPOINTS_PER_HOST, MAX_NETWORKS_PER_HOST } from '../limits';
import type { EndpointSpec, NetworkSpec } from '../model';
import { netnsIdentity } from '../netnsIdentity';
import { normalizeEndpointInput } from '../normalizeEndpoint';
import { normalizeNetworkSpec } from '../normalizeNetwork';
import type { ApplySpecInput, DesiredState } from './applyModel';
import { isOutOfScope, MANAGED_BY } from './applyScope';

/** More violations than this are not listed one by one (the first ones say enough). */
const MAX_VIOLATIONS = 100;

/** The path of network i's field in the request, from a field the normalizers name (`network.mtu`). */
export const networkField = (i: number, field = '') =>
  `spec.networks[${i}]${field.replace(/^network(?=\.|$)/, '')}`;
export const endpointField = (i: number, field = '') =>
  `spec.endpoints[${i}]${field.replace(/^endpoint(?=\.|$)/, '')}`;

/**
 * Checks a spec and brings it to normal form, or throws SpecViolationsError listing every problem.
 * The result keeps the spec's order: networks[i] is spec.networks[i].
 */
export function checkApplySpec(input: ApplySpecInput): DesiredState {
  const violations: FieldViolation[] = [];
  const refuse = (field: string, description: string) => violations.push({ field, description });
  if (input.networks.length > MAX_NETWORKS_PER_HOST)
    refuse(
      'spec.networks',
      `${input.networks.length} networks is too many: a host has at most ${MAX_NETWORKS_PER_HOST}`,
    );
  if (input.endpoints.length > MAX_ENDPOINTS_PER_HOST)
    refuse(
      'spec.endpoints',
      `${input.endpoints.length} endpoints is too many: a host has at most ${MAX_ENDPOINTS_PER_HOST}`,
    );
  if (violations.length > 0) throw new SpecViolationsError(violations);

  const networks = input.networks.map((n, i) =>
    normalized(
      () => normalizeNetworkSpec(n),
      (f) => networkField(i, f),
      refuse,
    ),
  );
  const endpoints = input.endpoints.map((e, i) =>
    normalized(
      () => normalizeEndpointInput(e),
      (f) => endpointField(i, f),
      refuse,
    ),
  );
  checkNetworks(networks, refuse);
  checkEndpoints(endpoints, new Set(input.networks.map((n) => n.name)), refuse);
  if (violations.length > 0)
    throw new SpecViolationsError(violations.slice(0, MAX_VIOLATIONS), violations.length);
  return { networks: networks as NetworkSpec[], endpoints: endpoints as EndpointSpec[] };
}

type Refuse = (field: string, description: string) => void;

/** One object through its normalizer; a refusal is recorded under the object's path. */
function normalized<T>(normalize: () => T, path: (field: string) => string, refuse: Refuse): T | undefined {
  try {
    return normalize();
  } catch (err) {
    if (!(err instanceof InvalidSpecError)) throw err;
    refuse(path(err.field), err.problem);
    return undefined;
  }
}

/** Names given once; subnets of different networks apart (Docker's rule, as for CreateNetwork). */
function checkNetworks(networks: (NetworkSpec | undefined)[], refuse: Refuse): void {
  const first = new Map<string, number>();
  networks.forEach((n, i) => {
    if (!n) return;
    const earlier = first.get(n.name);
    if (earlier !== undefined)
      refuse(networkField(i, '.name'), `network ${n.name} is also spec.networks[${earlier}]`);
    else first.set(n.name, i);
  });
  type Owner = { network: number; subnet: number; cidr: string };
  const seen: OwnedPrefix<Owner>[] = [];
  networks.forEach((n, i) => {
    if (!n) return;
    const mine = n.subnets.map((s, j) => ({
      prefix: parsePrefix(s.cidr)!.prefix,
      owner: { network: i, subnet: j, cidr: s.cidr },
    }));
    const clash = findOverlap(mine, seen);
    if (clash) {
      const [a, b] = clash;
      refuse(
        networkField(i, `.subnets[${a.subnet}].cidr`),
        `${a.cidr} overlaps ${b.cidr} of spec.networks[${b.network}]`,
      );
    }
    seen.push(...mine);
  });
}

/**
 * Endpoints: of a network of the spec, keys and explicit addresses and interface names given once,
 * and inside Apply's scope.
 */
function checkEndpoints(
  endpoints: (EndpointSpec | undefined)[],
  networkNames: ReadonlySet<string>,
  refuse: Refuse,
): void {
  const keys = new Map<string, number>();
  const addresses = new Map<string, number>();
  const ifnames = new Map<string, number>();
  const once = (seen: Map<string, number>, key: string, i: number, field: string, what: string) => {
    const earlier = seen.get(key);
    if (earlier === undefined) seen.set(key, i);
    else refuse(endpointField(i, field), `${what} is also spec.endpoints[${earlier}]'s`);
  };
  endpoints.forEach((e, i) => {
    if (!e) return;
    if (!networkNames.has(e.network))
      refuse(
        endpointField(i, '.network'),
        `the spec has no network ${quoteText(e.network)}: add it to spec.networks`,
      );
    if (isOutOfScope(e.labels)) {
      refuse(
        mapKeyField(endpointField(i, '.labels'), MANAGED_BY),
        `${quoteText(e.labels[MANAGED_BY])} puts an endpoint outside Apply's scope (another manager owns it): leave it out of the spec, or label it "apply"`,
      );
    }
    once(keys, `${e.network}/${e.name}`, i, '.name', `endpoint ${e.name} of network ${e.network}`);
    for (const [field, address] of [
      ['.ipv4_address', e.ipv4Address],
      ['.ipv6_address', e.ipv6Address],
    ] as const) {
      if (address !== '')
        once(
          addresses,
          `${e.network}/${address}`,
          i,
          field,
          `address ${quoteText(address)} in network ${e.network}`,
        );
    }
    if (e.ifname !== '')
      once(
        ifnames,
        `${netnsIdentity(e.netnsRef)}/${e.ifname}`,
        i,
        '.ifname',
        `interface ${e.ifname} in ${e.netns}`,
      );
  });
}
