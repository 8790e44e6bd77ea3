/**
 * What an endpoint's attach says to ip: the commands on the host side (the long-lived batch), and the
 * commands inside the container's netns (one process). Every value is checked first (batchTokens),
 * by both drivers through checkAttachOptions.
 */
import { checkAddress, checkCidr, checkIfname, checkNetnsRef, checkNewLinkArguments } from './batchTokens';
import { AttachEndpointOptions, KernelError, NetnsRef } from './LinkDriver';
import { describeNetns } from './netnsRef';

/** The action of an attach's KernelError messages: "attach endpoint eth0 in netns c1". */
export function attachAction(o: AttachEndpointOptions): string {
  return `attach endpoint ${o.ifname} in netns ${describeNetns(o.netns)}`;
}

/** The actions of the other endpoint operations' KernelError messages, shared by both drivers. */
export const endpointAction = {
  detach: (ref: NetnsRef, ifname: string) => `detach endpoint ${ifname} from netns ${describeNetns(ref)}`,
  inspect: (ref: NetnsRef, ifname: string) => `inspect endpoint ${ifname} in netns ${describeNetns(ref)}`,
  listLinks: (ref: NetnsRef) => `list links in netns ${describeNetns(ref)}`,
  lookUp: (ref: NetnsRef) => `look for netns ${describeNetns(ref)}`,
};

/** Checks every value of an attach before anything is made; throws the KernelError of the first bad one. */
export function checkAttachOptions(action: string, o: AttachEndpointOptions): void {
  checkNetnsRef(action, o.netns);
  checkIfname(action, 'name', o.ifname);
  checkNewLinkArguments(action, {
    name: o.tmpName,
    parent: o.parent,
    mtu: o.mtu,
    mac: o.mac,
    mode: o.mode,
    alias: o.alias,
  });
  for (const cidr of o.addresses) checkCidr(action, 'address', cidr);
  const families = o.gateways.map((gw) => checkAddress(action, 'gateway', gw));
  if (new Set(families).size < families.length) {
    throw new KernelError(`cannot ${action}: more than one gateway of a family`);
  }
}

/**
 * The host side, one command: the macvlan on its parent, made right inside the container's netns, as
 * the CNI plugin does. Made on the host and moved afterwards, it would cost ~15 ms more: a move
 * between namespaces waits for the kernel's synchronize_net(), as a deletion does. The netns is named
 * by the pid of a process inside it (IFLA_NET_NS_PID), not by its file: ip opens a file given to
 * `netns` and never closes it, so a long-lived batch would hold every container's netns alive (and
 * its links, and their MACs) until it exits. (ip would take a named netns called like the pid first.)
 * The host never sees the link; tmpName is its name in the container until the rename, so that
 * ifname being taken there is told apart from anything else.
 */
export function hostSideCommand(o: AttachEndpointOptions, pidInNetns: number): string {
  const mtu = o.mtu ? ` mtu ${o.mtu}` : '';
  const into = `netns ${pidInNetns}`;
  return `link add link ${o.parent} name ${o.tmpName} address ${o.mac}${mtu} ${into} type macvlan mode ${o.mode}`;
}

/**
 * The container side, in order: the mark (the kernel ignores IFLA_IFALIAS in RTM_NEWLINK, so the alias
 * takes a command of its own), the rename (which fails when ifname is taken), the addresses (IPv6
 * without DAD, usable at once), up, then a default route per gateway (which needs the link up and its
 * subnet on it). Before the rename the link is tmpName, ifname after.
 */
export function containerSideCommands(o: AttachEndpointOptions): { asTmpName: string[]; asIfname: string[] } {
  const dev = o.ifname;
  const mark = o.alias === '' ? [] : [`link set dev ${o.tmpName} alias ${o.alias}`];
  const addresses = o.addresses.map(
    (cidr) => `addr add ${cidr} dev ${dev}${cidr.includes(':') ? ' nodad' : ''}`,
  );
  const routes = o.gateways.map((gw) => `route add default via ${gw} dev ${dev}`);
  return {
    asTmpName: [...mark, `link set dev ${o.tmpName} name ${dev}`],
    asIfname: [...addresses, `link set dev ${dev} up`, ...routes],
  };
}
