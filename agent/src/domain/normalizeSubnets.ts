import { checkText, mapKeyField, quoteText } from './clientText';
import { InvalidSpecError } from './errors';
import { findOverlap } from './findOverlap';
import {
  formatAddress,
  formatPrefix,
  lastAddress,
  parseAddress,
  parsePrefix,
  prefixContains,
  prefixCovers,
  type Address,
  type Prefix,
} from './ip';
import { MAX_AUX_ADDRESSES_PER_NETWORK, MAX_AUX_NAME_LENGTH, MAX_SUBNETS_PER_NETWORK } from './limits';
import type { SubnetSpec } from './model';
import { isReservedKey } from './normalizeLabels';

const AUX_NAME = new RegExp(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,${MAX_AUX_NAME_LENGTH - 1}}$`);

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
  if (subnets.length > MAX_SUBNETS_PER_NETWORK) {
    throw new InvalidSpecError(
      'network.subnets',
      `${subnets.length} subnets is too many: at most ${MAX_SUBNETS_PER_NETWORK}`,
    );
  }
  checkAuxCount(subnets);
  const normal = subnets.map((subnet, i) => normalizeSubnet(subnet, `network.subnets[${i}]`));
  const overlap = findOverlap(normal.map((s, i) => ({ prefix: parsePrefix(s.cidr)!.prefix, owner: i })));
  if (overlap) {
    const [i, j] = overlap[0] > overlap[1] ? overlap : [overlap[1], overlap[0]];
    throw new InvalidSpecError(
      `network.subnets[${i}].cidr`,
      `${normal[i].cidr} overlaps subnets[${j}] ${normal[j].cidr}`,
    );
  }
  return normal;
}

/** The aux addresses of all subnets together are bounded, checked before any is parsed. */
function checkAuxCount(subnets: SubnetSpec[]): void {
  let count = 0;
  subnets.forEach((subnet, i) => {
    count += Object.keys(subnet.auxAddresses).length;
    if (count > MAX_AUX_ADDRESSES_PER_NETWORK) {
      throw new InvalidSpecError(
        `network.subnets[${i}].aux_addresses`,
        `too many aux addresses: at most ${MAX_AUX_ADDRESSES_PER_NETWORK} in a network, all subnets together`,
      );
    }
  });
}

function normalizeSubnet(subnet: SubnetSpec, field: string): SubnetSpec {
  const prefix = parseSubnetPrefix(subnet.cidr, `${field}.cidr`);
  const gateway = parseUsableAddress(subnet.gateway, prefix, `${field}.gateway`, formatPrefix(prefix));
  let ipRange = '';
  if (subnet.ipRange !== '') {
    const parsed = parsePrefix(subnet.ipRange);
    if (!parsed || parsed.hostBitsSet) {
      throw new InvalidSpecError(
        `${field}.ip_range`,
        `${quoteText(subnet.ipRange)} is not a CIDR prefix like 192.168.10.128/25`,
      );
    }
    if (!prefixCovers(prefix, parsed.prefix)) {
      throw new InvalidSpecError(
        `${field}.ip_range`,
        `${formatPrefix(parsed.prefix)} is not inside the subnet ${formatPrefix(prefix)}`,
      );
    }
    ipRange = formatPrefix(parsed.prefix);
  }
  const auxAddresses: Record<string, string> = {};
  for (const name of Object.keys(subnet.auxAddresses).sort()) {
    const auxField = mapKeyField(`${field}.aux_addresses`, name);
    checkAuxName(name, auxField);
    const aux = parseUsableAddress(subnet.auxAddresses[name], prefix, auxField, formatPrefix(prefix));
    if (aux.value === gateway.value) {
      throw new InvalidSpecError(auxField, `${formatAddress(aux)} is the gateway already`);
    }
    auxAddresses[name] = formatAddress(aux);
  }
  return { cidr: formatPrefix(prefix), gateway: formatAddress(gateway), ipRange, auxAddresses };
}

/** An aux address's name: Docker takes any; here a bounded name, and never a reserved object key. */
function checkAuxName(name: string, field: string): void {
  if (name === '') throw new InvalidSpecError(field, 'an aux address needs a name');
  checkText(field, name);
  if (isReservedKey(name))
    throw new InvalidSpecError(field, 'a reserved name (a property of every object): use another');
  if (!AUX_NAME.test(name)) {
    throw new InvalidSpecError(
      field,
      `an aux address's name is 1-${MAX_AUX_NAME_LENGTH} characters of A-Z a-z 0-9 _ . -, starting with a letter or digit`,
    );
  }
}

function parseSubnetPrefix(text: string, field: string): Prefix {
  if (text === '')
    throw new InvalidSpecError(field, 'a subnet in CIDR form is required, e.g. 192.168.10.0/24');
  const parsed = parsePrefix(text);
  if (!parsed)
    throw new InvalidSpecError(field, `${quoteText(text)} is not a CIDR prefix like 192.168.10.0/24`);
  if (parsed.hostBitsSet) {
    throw new InvalidSpecError(
      field,
      `${quoteText(text)} has host bits set: did you mean ${formatPrefix(parsed.prefix)}?`,
    );
  }
  // A /0 is every address there is: it would overlap every other network and the host's own.
  if (parsed.prefix.bits === 0) {
    throw new InvalidSpecError(
      field,
      `${formatPrefix(parsed.prefix)} is every address: give the subnet's own prefix`,
    );
  }
  const maxBits = parsed.prefix.family === 4 ? 30 : 126;
  if (parsed.prefix.bits > maxBits) {
    throw new InvalidSpecError(
      field,
      `${formatPrefix(parsed.prefix)} is too small for a gateway and endpoints: use a prefix of at most /${maxBits}`,
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
  if (!address) throw new InvalidSpecError(field, `${quoteText(text)} is not an IP address`);
  const shown = formatAddress(address);
  if (!prefixContains(prefix, address))
    throw new InvalidSpecError(field, `${shown} is not inside the subnet ${cidr}`);
  if (address.value === prefix.base)
    throw new InvalidSpecError(field, `${shown} is the subnet's own address`);
  if (prefix.family === 4 && address.value === lastAddress(prefix)) {
    throw new InvalidSpecError(field, `${shown} is the subnet's broadcast address`);
  }
  return address;
}
