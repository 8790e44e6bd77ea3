/**
 * The correctness check after a timed batch (not timed itself): every container has its eth0, a
 * macvlan in bridge mode, up, with its address and a default route via the gateway; and the first of
 * the batch reaches the gateway on the switch through it (the macvlan really carries traffic).
 */
import { Attachment, GATEWAY, PREFIX_LENGTH } from './attachmentPlan';
import { runChecked, runProcess } from '../shared/runProcess';
import { runPool } from './runPool';

interface LinkJson {
  flags?: string[];
  linkinfo?: { info_kind?: string; info_data?: { mode?: string } };
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

interface RouteJson {
  dst?: string;
  gateway?: string;
  dev?: string;
}

/** What is wrong with the container's eth0, or undefined when it is as the attach asked. */
async function findProblem(a: Attachment): Promise<string | undefined> {
  const out = await runChecked(['ip', '-n', a.container, '-j', '-d', '-batch', '-'], {
    input: 'addr show dev eth0\nroute show default\n',
  }).catch((err: Error) => err);
  if (out instanceof Error) return out.message.split('\n')[0];
  const [links, routes] = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as unknown[]);
  const link = links[0] as LinkJson | undefined;
  if (!link) return 'no eth0';
  if (link.linkinfo?.info_kind !== 'macvlan' || link.linkinfo.info_data?.mode !== 'bridge')
    return `eth0 is ${link.linkinfo?.info_kind} ${link.linkinfo?.info_data?.mode}, not a bridge-mode macvlan`;
  if (!link.flags?.includes('UP')) return 'eth0 is down';
  const v4 = (link.addr_info ?? []).filter((x) => x.family === 'inet');
  if (v4.length !== 1 || v4[0].local !== a.address || v4[0].prefixlen !== PREFIX_LENGTH)
    return `eth0 has ${v4.map((x) => `${x.local}/${x.prefixlen}`).join(', ') || 'no IPv4 address'}`;
  const ok = (routes as RouteJson[]).some((r) => r.gateway === GATEWAY && r.dev === 'eth0');
  return ok ? undefined : `no default route via ${GATEWAY} dev eth0`;
}

/** Checks every attachment (8 at a time) and a ping from the first; throws listing the failures. */
export async function verifyAttachments(side: string, attachments: Attachment[]): Promise<void> {
  const problems: string[] = [];
  await runPool(attachments, 8, async (a) => {
    const problem = await findProblem(a);
    if (problem) problems.push(`${a.container}: ${problem}`);
  });
  if (attachments.length > 0 && problems.length === 0) {
    const first = attachments[0].container;
    const ping = await runProcess(['ip', 'netns', 'exec', first, 'ping', '-c', '1', '-W', '2', GATEWAY]);
    if (ping.code !== 0) problems.push(`${first}: no answer from the gateway ${GATEWAY} to a ping`);
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).join('; ');
    throw new Error(`${side}: ${problems.length} of ${attachments.length} attachments wrong: ${shown}`);
  }
}
