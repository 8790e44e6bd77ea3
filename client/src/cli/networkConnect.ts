import type { Command } from 'commander';
import { Endpoint } from '../../../proto/gen/mvnet/v1/endpoint';
import type { CliContext } from './CliContext';
import { endpointSpecFromFlags, type NetworkConnectFlags } from './endpointSpecFromFlags';
import { renderJson } from './format';

/**
 * `mvnet network connect NETWORK NETNS`: attaches a container, named by its network namespace, to a
 * network, with the flags of `docker network connect` (and `--mac-address` of `docker run`). Prints
 * nothing, as Docker does, or the endpoint with --output json. Connecting again with the same flags
 * succeeds and keeps the endpoint's addresses and MAC; a container whose namespace went away is
 * re-attached with them.
 */
export function registerNetworkConnect(network: Command, ctx: CliContext): void {
  network
    .command('connect')
    .description('Connect a container (its network namespace) to a network')
    .argument('<network>', 'network name')
    .argument('<netns>', "the container's network namespace: a name (as ip netns), a path, or pid:N")
    .option('--ip <address>', 'IPv4 address (default: the first free one of the network)')
    .option('--ip6 <address>', 'IPv6 address (default: the first free one of the network)')
    .option('--mac-address <mac>', 'MAC address (default: derived from host, network and endpoint name)')
    .option('--ifname <name>', 'interface name in the container (default: eth0, then the next free ethN)')
    .option('--name <name>', 'endpoint name (default: the netns name)')
    .action(async (networkName: string, netns: string, flags: NetworkConnectFlags) => {
      const spec = endpointSpecFromFlags(networkName, netns, flags);
      const { endpoint } = await ctx.client().createEndpoint(spec);
      if (ctx.json) ctx.io.stdout(renderJson(Endpoint.toJSON(endpoint)));
    });
}
