/**
 * The benchmark's namespaces: a throwaway host whose eth0 is a veth plugged into a "switch" netns (a
 * bridge holding the gateway), and bare container namespaces. Namespaces are added and removed many
 * at a time through one `ip -batch` process: ~0.5 ms a namespace instead of a spawn each.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { BENCH_NETNS_PREFIX, GATEWAY, HOST_NETNS, PREFIX_LENGTH, SWITCH_NETNS } from './attachmentPlan';
import { runChecked, runProcess } from './runProcess';

/**
 * The kernel frees a deleted namespace's links later, from a workqueue that takes the rtnl lock
 * (tens of ms for 200 macvlans, measured here): a pause after a deletion keeps that work out of the
 * next timed attach, whichever side it belongs to.
 */
const SETTLE_MS = 500;

/** A namespace removed already (by the phase being interrupted, or by the cleanup): what deleting wanted. */
const ALREADY_GONE = /^Cannot remove namespace file ".*": No such file or directory$/;

/**
 * Runs `lines` in one `ip -batch -`, going on past a failed line (-force); throws when any failed,
 * except with a message that `ignore` matches.
 */
async function ipBatch(lines: string[], netns?: string, ignore?: RegExp): Promise<void> {
  if (lines.length === 0) return;
  const argv = [...(netns === undefined ? ['ip'] : ['ip', '-n', netns]), '-force', '-batch', '-'];
  const r = await runProcess(argv, { input: lines.map((l) => `${l}\n`).join('') });
  const errors = r.stderr
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^Command failed -:\d+$/.test(l) && !ignore?.test(l));
  if (r.code !== 0 && (errors.length > 0 || !ignore)) {
    throw new Error(`${argv.join(' ')} failed (${r.code}): ${errors.slice(0, 3).join('; ')}`);
  }
}

/** The named namespaces whose name starts with the benchmark's prefix. */
export async function listBenchNamespaces(): Promise<string[]> {
  const out = await runChecked(['ip', '-j', 'netns', 'list']);
  // Without /run/netns ip prints nothing at all rather than [].
  const entries = out.trim() === '' ? [] : (JSON.parse(out) as { name: string }[]);
  return entries.map((e) => e.name).filter((n) => n.startsWith(BENCH_NETNS_PREFIX));
}

/** Creates the named namespaces `names` (all of them, or the call fails). */
export async function addNamespaces(names: string[]): Promise<void> {
  await ipBatch(names.map((n) => `netns add ${n}`));
}

/**
 * Deletes the named namespaces `names` (their links go with them; one already gone is fine), then
 * lets the kernel settle.
 */
export async function deleteNamespaces(names: string[]): Promise<void> {
  await ipBatch(
    names.map((n) => `netns del ${n}`),
    undefined,
    ALREADY_GONE,
  );
  await sleep(SETTLE_MS);
}

/** Deletes every namespace with the benchmark's prefix (left by this run or a crashed one); their names. */
export async function removeBenchNamespaces(): Promise<string[]> {
  const names = await listBenchNamespaces();
  if (names.length > 0) await deleteNamespaces(names);
  return names;
}

/**
 * Builds the host: HOST_NETNS with `eth0` up, a veth whose peer is a port of bridge br0 in
 * SWITCH_NETNS, which holds the gateway. The machine's own eth0 is never touched.
 */
export async function makeBenchHost(): Promise<void> {
  await addNamespaces([HOST_NETNS, SWITCH_NETNS]);
  await ipBatch(
    [
      `link add eth0 type veth peer name port1 netns ${SWITCH_NETNS}`,
      'link set dev eth0 up',
      'link set dev lo up',
    ],
    HOST_NETNS,
  );
  await ipBatch(
    [
      'link add br0 type bridge',
      `addr add ${GATEWAY}/${PREFIX_LENGTH} dev br0`,
      'link set dev br0 up',
      'link set dev port1 master br0 up',
    ],
    SWITCH_NETNS,
  );
}
