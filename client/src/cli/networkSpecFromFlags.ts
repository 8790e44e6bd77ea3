import type { Network } from '../../../proto/gen/mvnet/v1/network';
import { CliUsageError } from './CliUsageError';
import { parseCidr } from './cidr';
import { driverOptionsFromFlags } from './driverOptions';
import { subnetsFromFlags, type IpamFlags } from './subnetsFromFlags';

/** The flags of `mvnet network create`, as commander collects them (repeatable flags as arrays). */
export interface NetworkCreateFlags extends IpamFlags {
  driver?: string;
  opt?: string[];
  internal?: boolean;
  ipv6?: boolean;
  label?: string[];
}

/** A network spec in full: every field but the output-only status. */
export type FullNetworkSpec = Omit<Network, 'status'>;

/**
 * Turns `docker network create`-style flags into the Network spec sent to the agent. Only the command
 * line's own form is checked here (driver, option keys, pairing of IPAM flags, Docker's --ipv6 rule);
 * whether the spec is valid (a gateway inside its subnet, no overlap, the parent's MTU) is the agent's
 * to say, so that the CLI and every other client get the same answer.
 */
export function networkSpecFromFlags(name: string, flags: NetworkCreateFlags): FullNetworkSpec {
  const driver = flags.driver ?? 'macvlan';
  if (driver !== 'macvlan') {
    throw new CliUsageError(
      `driver ${JSON.stringify(driver)} is not supported: mvnet creates macvlan networks only (-d macvlan)`,
    );
  }
  const subnets = subnetsFromFlags(flags);
  checkIpv6(
    subnets.map((s) => s.cidr),
    flags.ipv6 ?? false,
  );
  return {
    name,
    ...driverOptionsFromFlags(flags.opt ?? []),
    subnets,
    internal: flags.internal ?? false,
    labels: labelsFromFlags(flags.label ?? []),
  };
}

/**
 * Docker's rule: IPv6 is enabled explicitly. An IPv6 subnet without --ipv6 is refused; so is --ipv6
 * without an IPv6 subnet, because the agent has no default address pool to take one from.
 */
function checkIpv6(cidrs: readonly string[], ipv6: boolean): void {
  const v6 = cidrs.filter((c) => parseCidr(c)?.family === 6);
  if (v6.length > 0 && !ipv6) {
    throw new CliUsageError(`--subnet ${v6[0]} is an IPv6 subnet: add --ipv6 to enable IPv6 on the network`);
  }
  if (ipv6 && v6.length === 0) {
    throw new CliUsageError(
      '--ipv6 needs an IPv6 --subnet (e.g. --subnet 2001:db8:10::/64 --gateway 2001:db8:10::1)',
    );
  }
}

/** `--label key=value`, or `--label key` for an empty value, as Docker takes them. */
function labelsFromFlags(flags: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const key = eq < 0 ? flag : flag.slice(0, eq);
    if (key === '') throw new CliUsageError(`--label ${JSON.stringify(flag)}: use key=value`);
    labels[key] = eq < 0 ? '' : flag.slice(eq + 1);
  }
  return labels;
}
