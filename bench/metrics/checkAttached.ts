/**
 * The check after the timed attaches (not timed itself): each container holds `eth0`, a bridge-mode
 * macvlan, up, with the address its agent reported, so that both sides are seen to have done the
 * same kernel work.
 */
import { runPool } from '../attach/runPool';
import { runChecked } from '../shared/runProcess';

interface LinkJson {
  flags?: string[];
  linkinfo?: { info_kind?: string; info_data?: { mode?: string } };
  addr_info?: { family: string; local: string }[];
}

/** What is wrong with the container's eth0, or undefined when it holds `address` as a bridge macvlan, up. */
async function findProblem(netns: string, address: string): Promise<string | undefined> {
  const out = await runChecked(['ip', '-n', netns, '-j', '-d', 'addr', 'show', 'dev', 'eth0']).catch(
    (err: Error) => err,
  );
  if (out instanceof Error) return out.message.split('\n')[0];
  const link = (JSON.parse(out) as LinkJson[])[0];
  if (!link) return 'no eth0';
  if (link.linkinfo?.info_kind !== 'macvlan' || link.linkinfo.info_data?.mode !== 'bridge')
    return `eth0 is ${link.linkinfo?.info_kind} ${link.linkinfo?.info_data?.mode}, not a bridge-mode macvlan`;
  if (!link.flags?.includes('UP')) return 'eth0 is down';
  const v4 = (link.addr_info ?? []).filter((x) => x.family === 'inet').map((x) => x.local);
  return v4.length === 1 && v4[0] === address ? undefined : `eth0 has ${v4.join(', ') || 'no IPv4 address'}`;
}

/** Checks every container of `attached` (netns → the address its agent gave), 8 at a time; throws listing what is wrong. */
export async function checkAttached(side: string, attached: Map<string, string>): Promise<void> {
  const problems: string[] = [];
  await runPool([...attached], 8, async ([netns, address]) => {
    const problem = await findProblem(netns, address);
    if (problem) problems.push(`${netns}: ${problem}`);
  });
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).join('; ');
    throw new Error(`${side}: ${problems.length} of ${attached.size} attaches wrong: ${shown}`);
  }
}
