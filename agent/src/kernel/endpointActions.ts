/**
 * The endpoint operations' shared words: the actions their KernelErrors name, and the checks of an
 * attach's values (linkArgumentChecks), made by both drivers before anything is made.
 */
import {
  checkAddress,
  checkCidr,
  checkIfname,
  checkNetnsRef,
  checkNewLinkArguments,
} from './linkArgumentChecks';
import { AttachEndpointOptions, NetnsRef } from '../domain/ports/LinkDriver';
import { KernelError } from '../domain/errors';
import { describeNetnsRef } from '../domain/netnsIdentity';

/** The action of an attach's KernelError messages: "attach endpoint eth0 in netns c1". */
export function attachAction(o: AttachEndpointOptions): string {
  return `attach endpoint ${o.ifname} in netns ${describeNetnsRef(o.netns)}`;
}

/** The actions of the other endpoint operations' KernelError messages, shared by both drivers. */
export const endpointAction = {
  detach: (ref: NetnsRef, ifname: string) => `detach endpoint ${ifname} from netns ${describeNetnsRef(ref)}`,
  inspect: (ref: NetnsRef, ifname: string) => `inspect endpoint ${ifname} in netns ${describeNetnsRef(ref)}`,
  listLinks: (ref: NetnsRef) => `list links in netns ${describeNetnsRef(ref)}`,
  lookUp: (ref: NetnsRef) => `look for netns ${describeNetnsRef(ref)}`,
  removeTemp: (ref: NetnsRef, name: string) =>
    `remove temporary link ${name} from netns ${describeNetnsRef(ref)}`,
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
