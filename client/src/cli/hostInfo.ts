import type { Command } from 'commander';
import { Host, linkOwnerToJSON, type Interface } from '../../../proto/gen/mvnet/v1/host';
import type { CliContext } from './CliContext';
import { renderFields, renderJson, renderTable, yesNo, type Table } from './format';

/** The host's links as a table; an empty kind is a physical NIC, VLAN 0 means none. */
export function interfaceTable(interfaces: readonly Interface[]): Table {
  return {
    headers: ['NAME', 'KIND', 'MTU', 'STATE', 'MAC', 'VLAN', 'PARENT', 'OWNER'],
    rows: interfaces.map((i) => [
      i.name,
      i.kind,
      String(i.mtu),
      i.state,
      i.macAddress,
      i.vlanId === 0 ? '' : String(i.vlanId),
      i.parent,
      linkOwnerToJSON(i.owner)
        .replace(/^LINK_OWNER_/, '')
        .toLowerCase(),
    ]),
  };
}

/** The host as people read it: its facts, what its kernel can do, then its links. */
export function renderHost(host: Host): string {
  const caps = host.capabilities;
  const facts = renderFields([
    ['Hostname', host.hostname],
    ['Version', host.version],
    ['Kernel', host.kernelRelease],
    ['Boot ID', host.bootId],
    ['Network namespace', host.netns === '' ? '(root)' : host.netns],
  ]);
  const capabilities = renderFields(
    [
      ['macvlan', yesNo(caps?.macvlan)],
      ['802.1q VLAN', yesNo(caps?.vlan8021q)],
      ['dummy', yesNo(caps?.dummy)],
      ['bonding', yesNo(caps?.bonding)],
      ['VLAN-filtering bridge', yesNo(caps?.vlanFilteringBridge)],
    ],
    2,
  );
  return `${facts}Capabilities:\n${capabilities}\nInterfaces:\n${renderTable(interfaceTable(host.interfaces))}`;
}

/** `mvnet host info`: the agent's host, or the Host message with --output json. */
export function registerHostInfo(host: Command, ctx: CliContext): void {
  host
    .command('info')
    .description("Display the agent's host: version, kernel capabilities and interfaces")
    .action(async () => {
      const { host: info } = await ctx.client().getHost();
      ctx.io.stdout(ctx.json ? renderJson(Host.toJSON(info)) : renderHost(info));
    });
}
