import type { LinkInfo } from '../../domain/ports/LinkDriver';
import type { LinkChange } from '../../domain/ports/LinkChangeSource';
import type { MemoryNamespace } from './MemoryNamespace';

type Nsid = LinkChange['nsid'];

/** One link or address as the monitor last told of it. */
interface Account {
  ifname: string;
  /** The line without its `[nsid ...][LINK]` head and without `Deleted `. */
  body: string;
}

/**
 * What the kernel's notifications would have told of one namespace of the in-memory kernel: each link
 * by index (a rename keeps it) and each address by link index and CIDR, with a text of its state (as
 * `ip -o monitor` would print it, plus the alias, which RtnlLinkMonitor's accounts hold too). Comparing
 * two snapshots gives the changes the kernel reports between them.
 */
export class NamespaceSnapshot {
  private constructor(
    private readonly nsid: Nsid,
    private readonly links: Map<number, Account>,
    private readonly addresses: Map<string, Account>,
  ) {}

  /** The namespace as it is now, seen from the host namespace under `nsid`. */
  static of(ns: MemoryNamespace, nsid: Nsid): NamespaceSnapshot {
    const links = new Map<number, Account>();
    const addresses = new Map<string, Account>();
    for (const link of ns.links.values()) {
      links.set(link.index, { ifname: link.name, body: describeLink(link) });
      for (const cidr of ns.addressesOf(link.name)) {
        const body = `${link.index}: ${link.name}    ${describeAddress(cidr, link.name)}`;
        addresses.set(`${link.index} ${cidr}`, { ifname: link.name, body });
      }
    }
    return new NamespaceSnapshot(nsid, links, addresses);
  }

  /**
   * The changes from `before` to this snapshot, in the order the kernel sends them: a link's addresses
   * go before the link itself when it is deleted, and come after it when it is made.
   */
  changesSince(before: NamespaceSnapshot): LinkChange[] {
    return [
      ...this.gone('address', before.addresses, this.addresses),
      ...this.gone('link', before.links, this.links),
      ...this.changed('link', before.links, this.links),
      ...this.changed('address', before.addresses, this.addresses),
    ];
  }

  private gone<K>(what: LinkChange['what'], before: Map<K, Account>, now: Map<K, Account>): LinkChange[] {
    return [...before]
      .filter(([key]) => !now.has(key))
      .map(([, account]) => this.change(what, true, account));
  }

  private changed<K>(what: LinkChange['what'], before: Map<K, Account>, now: Map<K, Account>): LinkChange[] {
    return [...now]
      .filter(([key, account]) => before.get(key)?.body !== account.body)
      .map(([, account]) => this.change(what, false, account));
  }

  private change(what: LinkChange['what'], deleted: boolean, { ifname, body }: Account): LinkChange {
    const head = `[nsid ${this.nsid}][${what === 'link' ? 'LINK' : 'ADDR'}]${deleted ? 'Deleted ' : ''}`;
    return { nsid: this.nsid, what, deleted, ifname, detail: head + body };
  }
}

/** A link as `ip -o monitor` prints it (flags, MTU, operstate, MAC and master), and its alias. */
function describeLink(link: LinkInfo): string {
  const carrier = link.adminUp && ['UP', 'UNKNOWN'].includes(link.operState);
  const flags = [
    ...(link.adminUp && !carrier ? ['NO-CARRIER'] : []),
    'BROADCAST',
    'MULTICAST',
    ...(link.promiscuous ? ['PROMISC'] : []),
    ...(link.adminUp ? ['UP'] : []),
    ...(carrier ? ['LOWER_UP'] : []),
  ];
  const name = link.parent === undefined ? link.name : `${link.name}@${link.parent}`;
  const master = link.master === undefined ? '' : ` master ${link.master}`;
  const alias = link.alias === undefined ? '' : ` alias ${JSON.stringify(link.alias)}`;
  return `${link.index}: ${name}: <${flags.join(',')}> mtu ${link.mtu}${master} state ${link.operState} \\    link/ether ${link.mac}${alias}`;
}

function describeAddress(cidr: string, ifname: string): string {
  return cidr.includes(':') ? `inet6 ${cidr} scope global` : `inet ${cidr} scope global ${ifname}`;
}
