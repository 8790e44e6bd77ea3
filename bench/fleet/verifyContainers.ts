import { runPool } from '../attach/runPool';
import { runProcess } from '../shared/runProcess';
import { containerNetns } from './fleetLayout';

/** How many `ip` processes look at the containers at once. */
const PARALLEL = 8;

/** The IPv4 address of `eth0` in container `i`, or undefined when it has no eth0. */
async function containerAddress(i: number): Promise<string | undefined> {
  const r = await runProcess(['ip', '-n', containerNetns(i), '-j', '-4', 'addr', 'show', 'dev', 'eth0']);
  if (r.code !== 0) {
    if (/does not exist/.test(r.stderr)) return undefined;
    throw new Error(`ip -n ${containerNetns(i)} addr show: ${r.stderr.trim()}`);
  }
  const [link] = JSON.parse(r.stdout) as { addr_info?: { local: string }[] }[];
  return link?.addr_info?.[0]?.local ?? '';
}

/**
 * Checks the kernels of containers 1..count after a rollout: after `apply`, each has an eth0 with an
 * address of its own; after `remove`, none has an eth0 left.
 */
export async function verifyContainers(count: number, kind: 'apply' | 'remove'): Promise<void> {
  const numbers = Array.from({ length: count }, (_, k) => k + 1);
  const addresses = new Map<number, string | undefined>();
  await runPool(numbers, PARALLEL, async (i) => addresses.set(i, await containerAddress(i)));
  const wrong =
    kind === 'apply'
      ? numbers.filter((i) => !addresses.get(i))
      : numbers.filter((i) => addresses.get(i) !== undefined);
  if (wrong.length > 0)
    throw new Error(
      `after ${kind}, ${wrong.length} container(s) ${kind === 'apply' ? 'lack an addressed eth0' : 'still have an eth0'}: ${wrong.slice(0, 5).map(containerNetns).join(', ')}`,
    );
  const given = [...addresses.values()];
  if (kind === 'apply' && new Set(given).size !== given.length)
    throw new Error(`after apply, two containers share an address: ${given.join(', ')}`);
}
