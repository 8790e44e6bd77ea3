import { removeTestNamespaces } from './netnsPrefix';

/** Jest globalTeardown: removes the namespaces this run (or a dead one) left, whatever the tests did. */
export default async function globalTeardown(): Promise<void> {
  try {
    await removeTestNamespaces();
  } catch (err) {
    console.warn(`cannot remove test namespaces: ${(err as Error).message}`);
  }
}
