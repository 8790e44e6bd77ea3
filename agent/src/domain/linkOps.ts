import { faultPoint } from '../faultPoint';
import type { LinkDriver } from '../kernel/LinkDriver';

/** One change to the host's links, as planned by the domain and carried out by applyLinkOps. */
export type LinkOp =
  | { op: 'createVlan'; name: string; parent: string; vlanId: number; alias: string }
  | { op: 'createDummy'; name: string; alias: string; mtu?: number }
  | { op: 'createMacvlan'; name: string; parent: string; alias: string }
  | { op: 'addAddress'; name: string; cidr: string }
  | { op: 'replaceRoute'; destination: string; dev: string }
  | { op: 'setUp'; name: string }
  | { op: 'setPromiscuous'; name: string; on: boolean }
  | { op: 'delete'; name: string };

/** A short text of an op, for logs and plans. */
export function describeLinkOp(op: LinkOp): string {
  switch (op.op) {
    case 'createVlan':
      return `create ${op.name} (VLAN ${op.vlanId} on ${op.parent})`;
    case 'createDummy':
      return `create dummy ${op.name}`;
    case 'createMacvlan':
      return `create macvlan ${op.name} on ${op.parent}`;
    case 'addAddress':
      return `add ${op.cidr} to ${op.name}`;
    case 'replaceRoute':
      return `route ${op.destination} via ${op.dev}`;
    case 'setUp':
      return `set ${op.name} up`;
    case 'setPromiscuous':
      return `set ${op.name} promiscuous ${op.on ? 'on' : 'off'}`;
    case 'delete':
      return `delete ${op.name}`;
  }
}

/** The links that `ops` create. */
export function createdLinks(ops: readonly LinkOp[]): string[] {
  return ops.flatMap((op) =>
    op.op === 'createVlan' || op.op === 'createDummy' || op.op === 'createMacvlan' ? [op.name] : [],
  );
}

/**
 * Carries out ops in order. When one fails, the links created by the earlier ops are removed again
 * (no half-made state is left behind, "to avoid link leak") and the error is rethrown.
 */
export async function applyLinkOps(driver: LinkDriver, ops: readonly LinkOp[]): Promise<void> {
  const created: string[] = [];
  try {
    for (const op of ops) {
      await applyLinkOp(driver, op);
      faultPoint('link-op-done');
      created.push(...createdLinks([op]));
    }
  } catch (err) {
    for (const name of created.reverse()) await driver.deleteLink(name).catch(() => undefined);
    throw err;
  }
}

async function applyLinkOp(driver: LinkDriver, op: LinkOp): Promise<void> {
  switch (op.op) {
    case 'createVlan':
      return driver.createVlan({ name: op.name, parent: op.parent, vlanId: op.vlanId, alias: op.alias });
    case 'createDummy':
      return driver.createDummy({ name: op.name, alias: op.alias, mtu: op.mtu });
    case 'createMacvlan':
      return driver.createMacvlan({ name: op.name, parent: op.parent, mode: 'bridge', alias: op.alias });
    case 'addAddress':
      return driver.addAddress(op.name, op.cidr);
    case 'replaceRoute':
      return driver.replaceRoute(op.destination, op.dev);
    case 'setUp':
      return driver.setLinkUp(op.name);
    case 'setPromiscuous':
      return driver.setPromiscuous(op.name, op.on);
    case 'delete':
      return driver.deleteLink(op.name);
  }
}
