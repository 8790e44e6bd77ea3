/**
 * The host's links as they will be part way through a transition: planning a network that an Apply
 * creates needs the links as the steps before it leave them (a sub-interface a removed network took
 * with it, one a created network made), not as they are now. Ops are played on a copy of the link map.
 */
import type { LinkOp } from '../linkOps';
import type { LinkInfo } from '../ports/LinkDriver';

export class SimulatedLinks {
  private readonly links: Map<string, LinkInfo>;

  constructor(links: ReadonlyMap<string, LinkInfo>) {
    this.links = new Map(links);
  }

  get view(): ReadonlyMap<string, LinkInfo> {
    return this.links;
  }

  /** Plays ops as the kernel would carry them out. */
  play(ops: readonly LinkOp[]): void {
    for (const op of ops) this.playOne(op);
  }

  private playOne(op: LinkOp): void {
    const link = 'name' in op ? this.links.get(op.name) : undefined;
    switch (op.op) {
      case 'createVlan': {
        const lower = this.links.get(op.parent);
        this.add(op.name, {
          kind: 'vlan',
          parent: op.parent,
          vlanId: op.vlanId,
          alias: op.alias,
          mtu: lower?.mtu,
        });
        return;
      }
      case 'createDummy':
        this.add(op.name, { kind: 'dummy', alias: op.alias, mtu: op.mtu });
        return;
      case 'createMacvlan':
        this.add(op.name, { kind: 'macvlan', parent: op.parent, alias: op.alias, macvlanMode: 'bridge' });
        return;
      case 'setUp':
        if (link) this.links.set(op.name, { ...link, adminUp: true, operState: 'UP' });
        return;
      case 'setPromiscuous':
        if (link) this.links.set(op.name, { ...link, promiscuous: op.on });
        return;
      case 'delete':
        this.links.delete(op.name);
        for (const [name, other] of this.links) if (other.parent === op.name) this.links.delete(name);
        return;
      case 'addAddress':
      case 'addRoute':
        return;
    }
  }

  private add(name: string, fields: Partial<LinkInfo>): void {
    this.links.set(name, {
      name,
      index: 0,
      kind: '',
      linkType: 'ether',
      mtu: 1500,
      adminUp: false,
      operState: 'DOWN',
      mac: '',
      promiscuous: false,
      ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
    });
  }
}
