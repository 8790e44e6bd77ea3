/**
 * The reference: the least a shell script does to attach a container with iproute2, one `ip` process
 * per step. The macvlan is made right inside the container (`netns` on `link add`, as CNI and the agent
 * do: a move between namespaces would cost a synchronize_net more), so it can take its final name there.
 */
import { Attachment, GATEWAY, HOST_NETNS } from './attachmentPlan';
import { runProcess } from '../shared/runProcess';

/** The four processes of one attach, in order. */
export function plainIpCommands(a: Attachment): string[][] {
  const inside = ['ip', '-n', a.container];
  return [
    ['ip', '-n', HOST_NETNS, 'link', 'add', 'link', 'eth0', 'name', 'eth0', 'netns', a.container].concat([
      'type',
      'macvlan',
      'mode',
      'bridge',
    ]),
    [...inside, 'addr', 'add', a.cidr, 'dev', 'eth0'],
    [...inside, 'link', 'set', 'dev', 'eth0', 'up'],
    [...inside, 'route', 'add', 'default', 'via', GATEWAY, 'dev', 'eth0'],
  ];
}

/** Runs the four processes one after the other; returns the time of all four in ms. */
export async function plainIpAttach(a: Attachment): Promise<number> {
  const start = process.hrtime.bigint();
  for (const argv of plainIpCommands(a)) {
    const r = await runProcess(argv);
    if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}
