/**
 * The Watch benchmark's namespaces: a throwaway host whose eth0 is a veth plugged into a "switch"
 * netns (a bridge holding the gateway), and one container netns. Created and removed through the
 * attach benchmark's helpers; only the names and the host's layout are the Watch benchmark's own.
 */
import { addNamespaces, deleteNamespaces } from './benchNamespaces';
import { runChecked } from './runProcess';
import {
  WATCH_CONTAINER_NETNS,
  WATCH_GATEWAY,
  WATCH_HOST_NETNS,
  WATCH_NETNS_PREFIX,
  WATCH_PREFIX_LENGTH,
  WATCH_SWITCH_NETNS,
} from './watchLayout';

/** Runs `lines` in one `ip -n NETNS -batch -`; throws with ip's stderr when a line fails. */
async function ipBatchIn(netns: string, lines: string[]): Promise<void> {
  await runChecked(['ip', '-n', netns, '-batch', '-'], { input: lines.map((l) => `${l}\n`).join('') });
}

/** The named namespaces whose name starts with the Watch benchmark's prefix. */
export async function listWatchNamespaces(): Promise<string[]> {
  const out = await runChecked(['ip', '-j', 'netns', 'list']);
  // Without /run/netns ip prints nothing at all rather than [].
  const entries = out.trim() === '' ? [] : (JSON.parse(out) as { name: string }[]);
  return entries.map((e) => e.name).filter((n) => n.startsWith(WATCH_NETNS_PREFIX));
}

/** Deletes every `mvbw-*` namespace (left by this run or a killed one); returns their names. */
export async function removeWatchNamespaces(): Promise<string[]> {
  const names = await listWatchNamespaces();
  if (names.length > 0) await deleteNamespaces(names);
  return names;
}

/**
 * Builds the host (`eth0` up: a veth whose peer is a port of br0 in the switch, which holds the
 * gateway) and the bare container netns. The machine's own eth0 is never touched.
 */
export async function makeWatchNamespaces(): Promise<void> {
  await addNamespaces([WATCH_HOST_NETNS, WATCH_SWITCH_NETNS, WATCH_CONTAINER_NETNS]);
  await ipBatchIn(WATCH_HOST_NETNS, [
    `link add eth0 type veth peer name port1 netns ${WATCH_SWITCH_NETNS}`,
    'link set dev eth0 up',
    'link set dev lo up',
  ]);
  await ipBatchIn(WATCH_SWITCH_NETNS, [
    'link add br0 type bridge',
    `addr add ${WATCH_GATEWAY}/${WATCH_PREFIX_LENGTH} dev br0`,
    'link set dev br0 up',
    'link set dev port1 master br0 up',
  ]);
}
