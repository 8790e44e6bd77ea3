/**
 * The benchmarks' namespaces: a throwaway host whose eth0 is a veth plugged into a "switch" netns (a
 * bridge holding the gateway), and bare container namespaces. Namespaces are added and removed many
 * at a time through one `ip -batch` process: ~0.5 ms a namespace instead of a spawn each. Each
 * benchmark names its own with a prefix of its own, so that neither removes the other's.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { listNetns } from '../../tools/netns';
import { runProcess } from './runProcess';

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
export async function ipBatch(lines: string[], netns?: string, ignore?: RegExp): Promise<void> {
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

/** Set once the benchmark cleans up: no namespace is made after that (closeNamespaces). */
let closed = false;
const adding = new Set<Promise<void>>();

/** Creates the named namespaces `names` (all of them, or the call fails); refused once closed. */
export async function addNamespaces(names: string[]): Promise<void> {
  if (closed) throw new Error('the benchmark is cleaning up: no more namespaces');
  const added = ipBatch(names.map((n) => `netns add ${n}`));
  adding.add(added);
  try {
    await added;
  } finally {
    adding.delete(added);
  }
}

/**
 * Makes no namespace from now on, and resolves once those being made are: a phase still running while
 * the benchmark cleans up (after Ctrl-C) then adds none after removeNamespaces has listed them.
 */
export async function closeNamespaces(): Promise<void> {
  closed = true;
  await Promise.allSettled([...adding]);
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

/** Deletes every namespace whose name starts with `prefix` (left by this run or a killed one); their names. */
export async function removeNamespaces(prefix: string): Promise<string[]> {
  const names = (await listNetns()).filter((n) => n.startsWith(prefix));
  if (names.length > 0) await deleteNamespaces(names);
  return names;
}

/** A throwaway host plugged into a switch: the names of both namespaces and the physical network's gateway. */
export interface SwitchedHost {
  host: string;
  switch: string;
  /** The gateway's address on the switch's bridge. */
  gateway: string;
  prefixLength: number;
}

/**
 * Builds the host: `l.host` with `eth0` up, a veth whose peer is a port of bridge br0 in `l.switch`,
 * which holds the gateway. The machine's own eth0 is never touched.
 */
export async function makeSwitchedHost(l: SwitchedHost): Promise<void> {
  await addNamespaces([l.host, l.switch]);
  await ipBatch(
    [
      `link add eth0 type veth peer name port1 netns ${l.switch}`,
      'link set dev eth0 up',
      'link set dev lo up',
    ],
    l.host,
  );
  await ipBatch(
    [
      'link add br0 type bridge',
      `addr add ${l.gateway}/${l.prefixLength} dev br0`,
      'link set dev br0 up',
      'link set dev port1 master br0 up',
    ],
    l.switch,
  );
}
