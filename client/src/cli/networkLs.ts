import type { Command } from 'commander';
import { Network } from '../../../proto/gen/mvnet/v1/network';
import type { CliContext } from './CliContext';
import { modeName, renderJson, renderTable, stateName, type Table } from './format';

/** The `network ls` table: Docker's columns, adapted to macvlan networks. */
export function networkTable(networks: readonly Network[]): Table {
  return {
    headers: ['NAME', 'DRIVER', 'PARENT', 'MODE', 'SUBNETS', 'STATE'],
    rows: networks.map((n) => [
      n.name,
      'macvlan',
      n.parent,
      modeName(n.mode),
      n.subnets.map((s) => s.cidr).join(','),
      stateName(n.status?.state),
    ]),
  };
}

/** `mvnet network ls` (alias `list`): the host's networks sorted by name, as a table, names, or JSON. */
export function registerNetworkLs(network: Command, ctx: CliContext): void {
  network
    .command('ls')
    .alias('list')
    .description('List networks')
    .option('-q, --quiet', 'only display network names')
    .action(async (flags: { quiet?: boolean }) => {
      const { networks } = await ctx.client().listNetworks();
      const sorted = [...networks].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      if (flags.quiet) ctx.io.stdout(sorted.map((n) => `${n.name}\n`).join(''));
      else if (ctx.json) ctx.io.stdout(renderJson(sorted.map((n) => Network.toJSON(n))));
      else ctx.io.stdout(renderTable(networkTable(sorted)));
    });
}
