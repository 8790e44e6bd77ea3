/**
 * The peer: Debian's CNI macvlan plugin (containernetworking-plugins) with the static IPAM plugin,
 * invoked as a runtime invokes it: one process per ADD, the config on stdin, the rest in CNI_*
 * variables. CNI's `master` is looked up in the namespace the plugin runs in, so here it runs in the
 * throwaway host through `nsenter --net=` (one extra exec; measured apart, see measureWrapper).
 */
import { Attachment, GATEWAY, HOST_NETNS } from './attachmentPlan';
import { runProcess } from '../shared/runProcess';

export const CNI_PATH = '/usr/lib/cni';
export const CNI_MACVLAN = `${CNI_PATH}/macvlan`;

const HOST_NETNS_FILE = `/var/run/netns/${HOST_NETNS}`;

/** The network config of one ADD: the same link, address, gateway and default route as mvnet's. */
export function cniConfig(a: Attachment): string {
  return JSON.stringify({
    cniVersion: '1.0.0',
    name: 'bench',
    type: 'macvlan',
    master: 'eth0',
    mode: 'bridge',
    ipam: {
      type: 'static',
      addresses: [{ address: a.cidr, gateway: GATEWAY }],
      routes: [{ dst: '0.0.0.0/0' }],
    },
  });
}

/** One CNI ADD, end to end (nsenter, plugin, its static IPAM child); returns its time in ms. */
export async function cniAdd(a: Attachment): Promise<number> {
  const r = await runProcess(['nsenter', `--net=${HOST_NETNS_FILE}`, CNI_MACVLAN], {
    input: cniConfig(a),
    env: {
      CNI_COMMAND: 'ADD',
      CNI_CONTAINERID: a.container,
      CNI_NETNS: `/var/run/netns/${a.container}`,
      CNI_IFNAME: 'eth0',
      CNI_PATH,
    },
  });
  if (r.code !== 0) {
    throw new Error(`CNI ADD into ${a.container} failed (${r.code}): ${r.stdout.trim()} ${r.stderr.trim()}`);
  }
  return r.ms;
}

/**
 * What the wrapper alone costs: `nsenter --net=<host> /bin/true`. A runtime on a real host execs the
 * plugin in the root namespace, without it; subtracting this from an ADD estimates that case.
 */
export async function measureWrapper(): Promise<number> {
  const r = await runProcess(['nsenter', `--net=${HOST_NETNS_FILE}`, '/bin/true']);
  if (r.code !== 0) throw new Error(`nsenter failed (${r.code}): ${r.stderr.trim()}`);
  return r.ms;
}
