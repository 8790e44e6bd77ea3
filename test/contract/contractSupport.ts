/**
 * What the contract suites of the kernel seam share: the fixture each driver's test file builds, and
 * small helpers.
 */
import { KernelCapabilities, LinkDriver, NetnsRef } from '../../agent/src/domain/ports/LinkDriver';
import { KernelError, PreconditionError } from '../../agent/src/domain/errors';

/**
 * Containers' namespaces for the endpoint cases, and the reads the suite makes outside the driver
 * (what `ip` shows on a real kernel, the test helpers on the in-memory one).
 */
export interface ContainerFixture {
  /** A fresh container netns, by name, with only its loopback. */
  addNamed(): Promise<{ name: string }>;
  /** A fresh container netns held by a process, by its pid. */
  addByPid(): Promise<{ pid: number }>;
  /** The netns goes, with what is in it, and a fresh one of the same name comes (a container restarted). */
  recreate(netns: { name: string }): Promise<void>;
  /** A named netns that does not exist. */
  missing(): NetnsRef;
  /** A name under /var/run/netns whose file is no network namespace, but a FIFO, a regular file... */
  addNotANetns(kind: NotANetns): Promise<{ name: string }>;
  /** A pid in the host's own namespace (the agent's own process). */
  hostPid(): { pid: number };
  /** Somebody else's link (no alias) named `name` appears in the netns. */
  addForeignLink(netns: NetnsRef, name: string): Promise<void>;
  /** The netns's routes (`netns` absent: the host's) the kernel did not make, as `DEST [via GW] dev NAME`, sorted. */
  routes(netns?: NetnsRef): Promise<string[]>;
  /** The addresses of a host link, CIDR form, sorted, without the link-local ones. */
  hostAddresses(name: string): Promise<string[]>;
}

/** What a file under /var/run/netns may be instead of a network namespace. */
export type NotANetns = 'fifo' | 'regular file' | 'device' | 'symlink to a netns';

/** The wire of the fixture's parent, and its host's other links, as the ARP probe cases need them. */
export interface WireFixture {
  /** A station on the parent's wire holds `address` and answers ARP for it from now on. */
  answerArp(address: string): Promise<void>;
  /** That station goes silent. */
  stopAnsweringArp(address: string): Promise<void>;
  /** The parent goes down behind the driver's back (`ip link set down`). */
  setParentDown(): Promise<void>;
  /** A host link that is not Ethernet: the loopback (seeded on the in-memory kernel, which has none). */
  nonEthernetLink(): Promise<string>;
}

/** A driver on a fresh host whose `parent` is an Ethernet link, up, with nothing stacked on it. */
export interface LinkDriverFixture {
  driver: LinkDriver;
  parent: string;
  /** What the host's kernel supports, known independently of the driver's probe. */
  capabilities: KernelCapabilities;
  containers: ContainerFixture;
  wire: WireFixture;
  cleanup: () => Promise<void>;
}

/** The error a call is refused with, of class `type` (the test fails on anything else). */
async function refusalOf<E extends Error>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => E,
): Promise<E> {
  const outcome = await promise.then(
    () => 'resolved',
    (err: unknown) => err,
  );
  expect(outcome).toBeInstanceOf(type);
  return outcome as E;
}

export const kernelErrorOf = (promise: Promise<unknown>) => refusalOf(promise, KernelError);
export const preconditionErrorOf = (promise: Promise<unknown>) => refusalOf(promise, PreconditionError);

export async function linkNames(driver: LinkDriver): Promise<string[]> {
  return (await driver.listLinks()).map((l) => l.name).sort();
}

/** Polls until `read` gives `expected`: the kernel reports carrier changes a little later. */
export async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await read()) !== expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(await read()).toBe(expected);
}

/** Declares a fresh fixture per test (closed and cleaned up after it); returns a getter for it. */
export function useFreshFixture(makeDriver: () => Promise<LinkDriverFixture>): () => LinkDriverFixture {
  let fixture: LinkDriverFixture | undefined;
  beforeEach(async () => {
    fixture = await makeDriver();
  });
  afterEach(async () => {
    await fixture?.driver.close();
    await fixture?.cleanup();
    fixture = undefined;
  });
  return () => fixture!;
}
