import type { Command } from 'commander';
import { Endpoint } from '../../../proto/gen/mvnet/v1/endpoint';
import type { CliContext } from './CliContext';
import { compareText, endpointStateName, renderJson, renderTable, type Table } from './format';
import { describeNetworkError, isAgentUnreachable } from './reportError';

/** The `endpoint ls` table: one row per endpoint, addresses without prefix as the agent keeps them. */
export function endpointTable(endpoints: readonly Endpoint[]): Table {
  return {
    headers: ['NETWORK', 'NAME', 'NETNS', 'IFNAME', 'IPV4', 'IPV6', 'MAC', 'STATE'],
    rows: endpoints.map((e) => [
      e.network,
      e.name,
      e.netns,
      e.ifname,
      e.ipv4Address,
      e.ipv6Address,
      e.macAddress,
      endpointStateName(e.status?.state),
    ]),
  };
}

/**
 * `mvnet endpoint ls [NETWORK]` (alias `list`): the endpoints of one network, or of all, sorted by
 * network and name, as a table or JSON. A network that does not exist is an error, as in `network inspect`.
 */
export function registerEndpointLs(endpoint: Command, ctx: CliContext): void {
  endpoint
    .command('ls')
    .alias('list')
    .description('List endpoints (containers attached to networks)')
    .argument('[network]', 'only the endpoints of this network')
    .action(async (network: string | undefined) => {
      let endpoints: Endpoint[];
      try {
        ({ endpoints } = await ctx.client().listEndpoints(network ?? ''));
      } catch (err) {
        if (network === undefined || isAgentUnreachable(err)) throw err;
        ctx.io.stderr(`${describeNetworkError(err, network)}\n`);
        ctx.exitCode = 1;
        return;
      }
      const sorted = [...endpoints].sort(
        (a, b) => compareText(a.network, b.network) || compareText(a.name, b.name),
      );
      if (ctx.json) ctx.io.stdout(renderJson(sorted.map((e) => Endpoint.toJSON(e))));
      else ctx.io.stdout(renderTable(endpointTable(sorted)));
    });
}
