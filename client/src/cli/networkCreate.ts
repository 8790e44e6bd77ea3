import type { Command } from 'commander';
import { Network } from '../../../proto/gen/mvnet/v1/network';
import type { CliContext } from './CliContext';
import { renderJson } from './format';
import { networkSpecFromFlags, type NetworkCreateFlags } from './networkSpecFromFlags';

/**
 * Commander's collector for repeatable flags: every value, in order. No default array is given to
 * commander, which would print `(default: [])` in the help; an absent flag stays undefined.
 */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * `mvnet network create`: Docker's flags for `docker network create -d macvlan`. Prints the network's
 * name (Docker prints the id, which here is the name), or the network with --output json. Creating a
 * network again with the same flags succeeds and prints the same.
 */
export function registerNetworkCreate(network: Command, ctx: CliContext): void {
  network
    .command('create')
    .description('Create a macvlan network')
    .argument('<name>', 'network name')
    .option('-d, --driver <driver>', 'driver to manage the network (only macvlan)', 'macvlan')
    .option('--subnet <cidr>', 'subnet in CIDR format (repeatable; IPv4 and IPv6)', collect)
    .option('--gateway <ip>', 'gateway of a subnet (repeatable: one per subnet)', collect)
    .option(
      '--ip-range <cidr>',
      'allocate endpoint addresses from this range of a subnet (repeatable)',
      collect,
    )
    .option('--aux-address <name=ip>', 'address of a subnet that is never allocated (repeatable)', collect)
    .option(
      '-o, --opt <key=value>',
      'driver option (repeatable): parent, macvlan_mode, mtu, vlan_id, promiscuous, host_access',
      collect,
    )
    .option('--internal', 'no parent: endpoints get a private link and no default route')
    .option('--ipv6', 'enable IPv6 (required for an IPv6 --subnet)')
    .option('--label <key=value>', 'metadata on the network (repeatable)', collect)
    .action(async (name: string, flags: NetworkCreateFlags) => {
      const spec = networkSpecFromFlags(name, flags);
      const { network: created } = await ctx.client().createNetwork(spec);
      ctx.io.stdout(ctx.json ? renderJson(Network.toJSON(created)) : `${created.name}\n`);
    });
}
