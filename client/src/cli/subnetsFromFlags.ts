import type { Subnet } from '../../../proto/gen/mvnet/v1/network';
import { CliUsageError } from './CliUsageError';
import { addressFamily, cidrContains, parseCidr, type Family, type ParsedCidr } from './cidr';

/** Docker's IPAM flags of `network create`, each repeatable. */
export interface IpamFlags {
  subnet?: string[];
  gateway?: string[];
  ipRange?: string[];
  auxAddress?: string[];
}

/** A subnet being assembled, with its parsed prefix for matching. */
interface Slot {
  flag: string;
  prefix: ParsedCidr;
  subnet: Subnet;
}

/**
 * Assembles the subnets from Docker's IPAM flags, in the order of the --subnet flags.
 *
 * As Docker's CLI does, each --gateway, --ip-range and --aux-address goes to the subnet that contains
 * it, so `--subnet A --subnet B --gateway <in B> --gateway <in A>` and mixed IPv4/IPv6 flags work in
 * any order. A gateway inside no subnet (Docker refuses it outright) is paired in order with the next
 * subnet of its family still without one — the i-th gateway with the i-th subnet — so that the agent
 * refuses it naming the field (`network.subnets[0].gateway: 10.0.0.1 is not inside ...`).
 */
export function subnetsFromFlags(flags: IpamFlags): Subnet[] {
  const { subnet = [], gateway = [], ipRange = [], auxAddress = [] } = flags;
  if (gateway.length > subnet.length || ipRange.length > subnet.length) {
    throw new CliUsageError(
      `${gateway.length} --gateway and ${ipRange.length} --ip-range for ${subnet.length} --subnet: ` +
        'every gateway or ip-range needs its subnet',
    );
  }
  const slots = subnet.map(parseSubnetFlag);
  assignGateways(slots, gateway);
  for (const range of ipRange) assignIpRange(slots, range);
  for (const [name, address] of auxAddressesFromFlags(auxAddress)) assignAuxAddress(slots, name, address);
  return slots.map((s) => s.subnet);
}

function parseSubnetFlag(flag: string): Slot {
  const prefix = parseCidr(flag);
  if (!prefix)
    throw new CliUsageError(`--subnet ${JSON.stringify(flag)}: not a CIDR prefix like 192.168.10.0/24`);
  return { flag, prefix, subnet: { cidr: flag, gateway: '', ipRange: '', auxAddresses: {} } };
}

function assignGateways(slots: Slot[], gateways: readonly string[]): void {
  const unmatched: { gateway: string; family: Family }[] = [];
  for (const gateway of gateways) {
    const family = addressFamily(gateway);
    if (family === undefined)
      throw new CliUsageError(`--gateway ${JSON.stringify(gateway)}: not an IP address`);
    const slot = slots.find((s) => cidrContains(s.prefix, gateway));
    if (!slot) {
      unmatched.push({ gateway, family });
      continue;
    }
    if (slot.subnet.gateway !== '') {
      throw new CliUsageError(
        `cannot configure multiple gateways (${gateway}, ${slot.subnet.gateway}) for the same subnet (${slot.flag})`,
      );
    }
    slot.subnet.gateway = gateway;
  }
  for (const { gateway, family } of unmatched) {
    const slot = slots.find((s) => s.prefix.family === family && s.subnet.gateway === '');
    if (!slot) throw new CliUsageError(`no matching subnet for gateway ${gateway}`);
    slot.subnet.gateway = gateway;
  }
}

function assignIpRange(slots: Slot[], range: string): void {
  if (!parseCidr(range))
    throw new CliUsageError(`--ip-range ${JSON.stringify(range)}: not a CIDR prefix like 192.168.10.128/25`);
  const slot = slots.find((s) => cidrContains(s.prefix, range));
  if (!slot) throw new CliUsageError(`no matching subnet for ip-range ${range}`);
  if (slot.subnet.ipRange !== '') {
    throw new CliUsageError(
      `cannot configure multiple ranges (${range}, ${slot.subnet.ipRange}) on the same subnet (${slot.flag})`,
    );
  }
  slot.subnet.ipRange = range;
}

/** `--aux-address name=ip` flags by name: a name given twice keeps its last address, as Docker's map flag. */
function auxAddressesFromFlags(flags: readonly string[]): Map<string, string> {
  const byName = new Map<string, string>();
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0)
      throw new CliUsageError(
        `--aux-address ${JSON.stringify(flag)}: use name=ip, e.g. router2=192.168.10.2`,
      );
    const name = flag.slice(0, eq);
    const address = flag.slice(eq + 1);
    if (addressFamily(address) === undefined)
      throw new CliUsageError(`--aux-address ${name}=${address}: not an IP address`);
    byName.set(name, address);
  }
  return byName;
}

function assignAuxAddress(slots: Slot[], name: string, address: string): void {
  const slot = slots.find((s) => cidrContains(s.prefix, address));
  if (!slot) throw new CliUsageError(`no matching subnet for aux-address ${address}`);
  slot.subnet.auxAddresses[name] = address;
}
