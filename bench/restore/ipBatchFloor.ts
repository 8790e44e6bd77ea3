/**
 * The reboot's peer: the iproute2 floor for the same host links. The links the agent made are read
 * off its host once (every link with its mark, sub-interfaces first, then shims with their MAC,
 * addresses and the host routes through them), written as the `ip` commands that make them
 * (those the agent's own iproute2 process runs: link add, alias, addresses, up, routes), and fed to
 * one `ip -n <floor host> -batch -` per round, timed from the spawn to its exit.
 */
import { runChecked, runProcess } from '../shared/runProcess';

interface LinkJson {
  ifname: string;
  address?: string;
  ifalias?: string;
  link?: string;
  linkinfo?: { info_kind?: string; info_data?: { id?: number; mode?: string } };
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

/** The agent's host links as `ip -batch` lines, in the order that makes them. */
export async function readFloorLines(host: string): Promise<string[]> {
  const out = await runChecked(['ip', '-n', host, '-j', '-d', '-batch', '-'], {
    input: 'addr show\nroute show\n',
  });
  const [links, routes] = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as unknown[]);
  const marked = (links as LinkJson[]).filter((l) => l.ifalias?.startsWith('mvnet:'));
  const vlans = marked.filter((l) => l.linkinfo?.info_kind === 'vlan');
  const shims = marked.filter((l) => l.linkinfo?.info_kind === 'macvlan');
  const lines: string[] = [];
  for (const v of vlans) {
    lines.push(
      `link add link ${v.link} name ${v.ifname} type vlan id ${v.linkinfo?.info_data?.id}`,
      `link set dev ${v.ifname} alias ${v.ifalias}`,
      `link set dev ${v.ifname} up`,
    );
  }
  for (const s of shims) {
    lines.push(
      `link add link ${s.link} name ${s.ifname} address ${s.address} type macvlan mode ${s.linkinfo?.info_data?.mode}`,
      `link set dev ${s.ifname} alias ${s.ifalias}`,
      ...(s.addr_info ?? [])
        .filter((a) => a.family === 'inet' || !a.local.startsWith('fe80:'))
        .map((a) => `addr add ${a.local}/${a.prefixlen} dev ${s.ifname}`),
      `link set dev ${s.ifname} up`,
    );
  }
  const shimNames = new Set(shims.map((s) => s.ifname));
  for (const r of routes as { dst?: string; dev?: string }[]) {
    if (r.dev && shimNames.has(r.dev) && r.dst && r.dst.includes('.'))
      lines.push(`route add ${r.dst.includes('/') ? r.dst : `${r.dst}/32`} dev ${r.dev}`);
  }
  if (shims.length === 0) throw new Error(`no link of the agent's on ${host}: nothing to compare with`);
  return lines;
}

/** One `ip -n host -batch -` making the links; its time from spawn to exit, ms. */
export async function runFloor(host: string, lines: readonly string[]): Promise<number> {
  const r = await runProcess(['ip', '-n', host, '-batch', '-'], {
    input: lines.map((l) => `${l}\n`).join(''),
  });
  if (r.code !== 0)
    throw new Error(`the ip -batch floor failed (${r.code}): ${r.stderr.trim().split('\n')[0]}`);
  return r.ms;
}
