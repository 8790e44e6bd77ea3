import { faultPoint } from '../faultPoint';
import { createdLinks, type LinkOp } from '../domain/linkOps';
import type { LinkDriver } from '../domain/ports/LinkDriver';

/**
 * Carries out ops in order. When one fails, the links created by the earlier ops are removed again
 * (no half-made state is left behind, "to avoid link leak"), promiscuous mode they turned on is turned
 * off again (a plan turns it on only where it was off), and the error is rethrown.
 */
export async function applyLinkOps(driver: LinkDriver, ops: readonly LinkOp[]): Promise<void> {
  const created: string[] = [];
  const promiscuous: string[] = [];
  try {
    for (const op of ops) {
      await applyLinkOp(driver, op);
      faultPoint('link-op-done');
      created.push(...createdLinks([op]));
      if (op.op === 'setPromiscuous' && op.on) promiscuous.push(op.name);
    }
  } catch (err) {
    for (const name of created.reverse()) await driver.deleteLink(name).catch(() => undefined);
    for (const name of promiscuous) await driver.setPromiscuous(name, false).catch(() => undefined);
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
      return driver.createMacvlan({
        name: op.name,
        parent: op.parent,
        mode: 'bridge',
        alias: op.alias,
        mac: op.mac,
      });
    case 'addAddress':
      return driver.addAddress(op.name, op.cidr);
    case 'addRoute':
      return driver.addRoute(op.destination, op.dev);
    case 'setUp':
      return driver.setLinkUp(op.name);
    case 'setPromiscuous':
      return driver.setPromiscuous(op.name, op.on);
    case 'delete':
      return driver.deleteLink(op.name);
  }
}
