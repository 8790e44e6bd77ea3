/**
 * What the contract suites of the kernel seam share: the fixture each driver's test file builds, and
 * small helpers.
 */
import { KernelCapabilities, LinkDriver, NetnsRef } from '../../agent/src/domain/ports/LinkDriver';
import { KernelError } from '../../agent/src/domain/errors';

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

/** A driver on a fresh host whose `parent` is an Ethernet link, up, with nothing stacked on it. */
export interface LinkDriverFixture {
  driver: LinkDriver;
  parent: string;
  /** What the host's kernel supports, known independently of the driver's probe. */
  capabilities: KernelCapabilities;
  containers: ContainerFixture;
  cleanup: () => Promise<void>;
}

export async function kernelErrorOf(promise: Promise<unknown>): Promise<KernelError> {
  const outcome = await promise.then(
    () => 'resolved',
    (err: unknown) => err,
  );
  expect(outcome).toBeInstanceOf(KernelError);
  return outcome as KernelError;
}

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
