/** One change to the host's links, as planned by the domain and carried out by applyLinkOps. */
export type LinkOp =
  | { op: 'createVlan'; name: string; parent: string; vlanId: number; alias: string }
  | { op: 'createDummy'; name: string; alias: string; mtu?: number }
  | { op: 'createMacvlan'; name: string; parent: string; alias: string; mac?: string }
  | { op: 'addAddress'; name: string; cidr: string }
  | { op: 'addRoute'; destination: string; dev: string }
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
    case 'addRoute':
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
