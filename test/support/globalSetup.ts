import { claimTestRun, removeTestNamespaces } from './netnsPrefix';

/**
 * Jest globalSetup: claims the run for namespace naming, then removes the test namespaces that crashed
 * runs left behind. Without root there is nothing it may delete: it warns, and the unit tests still run.
 */
export default async function globalSetup(): Promise<void> {
  claimTestRun();
  try {
    const removed = await removeTestNamespaces();
    if (removed.length > 0)
      console.warn(`removed test namespaces left by earlier runs: ${removed.join(' ')}`);
  } catch (err) {
    console.warn(`cannot remove leftover test namespaces: ${(err as Error).message}`);
  }
}
