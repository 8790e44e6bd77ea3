import { InvalidSpecError } from './errors';
import {
  formatAddress,
  formatPrefix,
  lastAddress,
  parseAddress,
  parsePrefix,
  prefixContains,
  prefixCovers,
  prefixesOverlap,
  type Address,
  type Prefix,
} from './ip';
import type { SubnetSpec } from './model';

/**
 * Validates a network's subnets and returns them in normal form. Each needs a gateway inside it (Docker's
 * macvlan rule: the gateway is the physical network's router); ip_range and aux addresses lie inside it;
 * the subnets of one network do not overlap.
 */
export function normalizeSubnets(subnets: SubnetSpec[]): SubnetSpec[] {
  if (subnets.length === 0) {
    throw new InvalidSpecError(
      'network.subnets',
      'at least one subnet is required (e.g. --subnet 192.168.10.0/24 --gateway 192.168.10.1)',
    );
  }
  const normal = subnets.map((subnet, i) => normalizeSubnet(subnet, `network.subnets[${i}]`));
  const prefixes = normal.map((s) => parsePrefix(s.cidr)!.prefix);
  prefixes.forEach((a, i) =>
    prefixes.slice(0, i).forEach((b, j) => {
      if (prefixesOverlap(a, b)) {
        throw new InvalidSpecError(
          `network.subnets[${i}].cidr`,
          `${normal[i].cidr} overlaps subnets[${j}] ${normal[j].cidr}`,
        );
      }
    }),
  );
  return normal;
}

function normalizeSubnet(subnet: SubnetSpec, field: string): SubnetSpec {
  const prefix = parseSubnetPrefix(subnet.cidr, `${field}.cidr`);
  const gateway = parseUsableAddress(subnet.gateway, prefix, `${field}.gateway`, subnet.cidr);
  let ipRange = '';
  if (subnet.ipRange !== '') {
    const parsed = parsePrefix(subnet.ipRange);
    if (!parsed || parsed.hostBitsSet) {
      throw new InvalidSpecError(
        `${field}.ip_range`,
        `${JSON.stringify(subnet.ipRange)} is not a CIDR prefix like 192.168.10.128/25`,
      );
    }
    if (!prefixCovers(prefix, parsed.prefix)) {
      throw new InvalidSpecError(
        `${field}.ip_range`,
        `${subnet.ipRange} is not inside the subnet ${formatPrefix(prefix)}`,
      );
    }
    ipRange = formatPrefix(parsed.prefix);
  }
  const auxAddresses: Record<string, string> = {};
  for (const name of Object.keys(subnet.auxAddresses).sort()) {
    const auxField = `${field}.aux_addresses[${name}]`;
    if (name === '') throw new InvalidSpecError(auxField, 'an aux address needs a name');
    const aux = parseUsableAddress(subnet.auxAddresses[name], prefix, auxField, subnet.cidr);
    if (aux.value === gateway.value) {
      throw new InvalidSpecError(auxField, `${formatAddress(aux)} is the gateway already`);
    }
    auxAddresses[name] = formatAddress(aux);
  }
  return { cidr: formatPrefix(prefix), gateway: formatAddress(gateway), ipRange, auxAddresses };
}

function parseSubnetPrefix(text: string, field: string): Prefix {
  if (text === '')
    throw new InvalidSpecError(field, 'a subnet in CIDR form is required, e.g. 192.168.10.0/24');
  const parsed = parsePrefix(text);
  if (!parsed)
    throw new InvalidSpecError(field, `${JSON.stringify(text)} is not a CIDR prefix like 192.168.10.0/24`);
  if (parsed.hostBitsSet) {
    throw new InvalidSpecError(
      field,
      `${text} has host bits set: did you mean ${formatPrefix(parsed.prefix)}?`,
    );
  }
  const maxBits = parsed.prefix.family === 4 ? 30 : 126;
  if (parsed.prefix.bits > maxBits) {
    throw new InvalidSpecError(
      field,
      `${text} is too small for a gateway and endpoints: use a prefix of at most /${maxBits}`,
    );
  }
  return parsed.prefix;
}

/** An address inside the subnet that a host may hold: not the subnet's own address, nor IPv4 broadcast. */
function parseUsableAddress(text: string, prefix: Prefix, field: string, cidr: string): Address {
  if (text === '') {
    throw new InvalidSpecError(
      field,
      `required: the router of ${cidr} on the physical network, e.g. ${formatAddress({ family: prefix.family, value: prefix.base + 1n })}`,
    );
  }
  const address = parseAddress(text);
  if (!address) throw new InvalidSpecError(field, `${JSON.stringify(text)} is not an IP address`);
  if (!prefixContains(prefix, address))
    throw new InvalidSpecError(field, `${text} is not inside the subnet ${cidr}`);
  if (address.value === prefix.base) throw new InvalidSpecError(field, `${text} is the subnet's own address`);
  if (prefix.family === 4 && address.value === lastAddress(prefix)) {
    throw new InvalidSpecError(field, `${text} is the subnet's broadcast address`);
  }
  return address;
}
