import type { EndpointSpec } from '../AgentClient';
import { CliUsageError } from './CliUsageError';
import { addressFamily, type Family } from './cidr';

/** The flags of `mvnet network connect`, as commander collects them. */
export interface NetworkConnectFlags {
  ip?: string;
  ip6?: string;
  macAddress?: string;
  ifname?: string;
  name?: string;
}

/**
 * Turns `docker network connect`-style flags into the endpoint spec sent to the agent. Only the
 * command line's own form is checked here: that --ip and --ip6 are plain addresses of their family
 * (a prefix belongs to the network's subnet, not to the flag). Whether the address lies in a subnet
 * and is free, whether the MAC and the names are valid, is the agent's to say. Flags not given are
 * left out, so that the agent picks: the name (the netns's), the addresses, the MAC, the ifname.
 */
export function endpointSpecFromFlags(
  network: string,
  netns: string,
  flags: NetworkConnectFlags,
): EndpointSpec {
  const spec: EndpointSpec = { network, netns };
  if (flags.name !== undefined) spec.name = flags.name;
  if (flags.ip !== undefined) spec.ipv4Address = checkAddress('--ip', flags.ip, 4);
  if (flags.ip6 !== undefined) spec.ipv6Address = checkAddress('--ip6', flags.ip6, 6);
  if (flags.macAddress !== undefined) spec.macAddress = flags.macAddress;
  if (flags.ifname !== undefined) spec.ifname = flags.ifname;
  return spec;
}

const EXAMPLES: Record<Family, string> = { 4: '192.168.0.3', 6: '2001:db8::3' };

function checkAddress(flag: string, value: string, family: Family): string {
  const slash = value.indexOf('/');
  if (slash >= 0 && addressFamily(value.slice(0, slash)) === family) {
    throw new CliUsageError(
      `${flag} ${value}: give the address without prefix (${flag} ${value.slice(0, slash)}): ` +
        "the prefix is the network's subnet's",
    );
  }
  if (addressFamily(value) !== family) {
    throw new CliUsageError(
      `${flag} ${JSON.stringify(value)}: not an IPv${family} address like ${EXAMPLES[family]}`,
    );
  }
  return value;
}
