import type { Command } from 'commander';
import { PendingApply } from '../../../proto/gen/mvnet/v1/apply';
import { Host, linkOwnerToJSON, type Interface } from '../../../proto/gen/mvnet/v1/host';
import { formatDuration } from '../duration';
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

/**
 * An Apply awaiting confirmation, for people: its id and revision, and when it rolls back
 * (`at 2025-05-01T10:00:00.000Z (in 1m30s)`, from `now`, to the second).
 */
export function pendingApplyText(pending: PendingApply, now = Date.now()): string {
  const { applyId, revision, deadline } = pending;
  const at = deadline ? deadline.seconds * 1000 + Math.floor(deadline.nanos / 1e6) : undefined;
  const when =
    at === undefined
      ? ''
      : `, rolls back at ${new Date(at).toISOString()} (${at > now ? `in ${formatDuration(Math.ceil((at - now) / 1000) * 1000)}` : 'due now'})`;
  return `${applyId} (revision ${revision})${when} unless confirmed: mvnet apply confirm ${applyId}`;
}

/**
 * The host as people read it: its facts (with the Apply awaiting confirmation, if any), what its
 * kernel can do, then its links.
 */
export function renderHost(host: Host, pendingApply?: PendingApply): string {
  const caps = host.capabilities;
  const facts = renderFields([
    ['Hostname', host.hostname],
    ['Version', host.version],
    ['Kernel', host.kernelRelease],
    ['Boot ID', host.bootId],
    ['Network namespace', host.netns === '' ? '(root)' : host.netns],
    ...(pendingApply ? [['Pending apply', pendingApplyText(pendingApply)] as [string, string]] : []),
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

/**
 * `mvnet host info`: the agent's host, or the Host message with --output json (and `pendingApply`
 * beside its fields while an Apply awaits confirmation).
 */
export function registerHostInfo(host: Command, ctx: CliContext): void {
  host
    .command('info')
    .description("Display the agent's host: version, kernel capabilities, interfaces, a pending apply")
    .action(async () => {
      const { host: info, pendingApply } = await ctx.client().getHost();
      if (!ctx.json) ctx.io.stdout(renderHost(info, pendingApply));
      else
        ctx.io.stdout(
          renderJson({
            ...(Host.toJSON(info) as object),
            ...(pendingApply ? { pendingApply: PendingApply.toJSON(pendingApply) } : {}),
          }),
        );
    });
}
