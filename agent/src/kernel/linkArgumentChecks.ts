/**
 * What may go into a line of `ip -batch`. ip splits a batch line on blanks and reads a newline as the
 * next command, so a value with a space or a newline in it would smuggle in arguments or commands of
 * its own. Every value therefore passes a check here before any line is built: the plain-token
 * alphabet below, and the few rules ip itself would enforce by ending the whole batch (an `invarg`
 * exits the process), with ip's own wording. Both drivers call these checks, so the in-memory one
 * refuses exactly what the real one refuses.
 */
import ipaddr from 'ipaddr.js';
import { NetnsRef } from '../domain/ports/LinkDriver';
import { KernelError } from '../domain/errors';

const PLAIN_TOKEN = /^[A-Za-z0-9_.:/-]+$/;

/** A whole batch line: printable ASCII only, so never a second line. */
const PRINTABLE_LINE = /^[\x20-\x7e]+$/;

/** IFALIASZ is 256 with its terminating NUL. */
const MAX_ALIAS_BYTES = 255;

/** The last guard before a line is written to ip: one line of printable ASCII. */
export function checkBatchLine(line: string): void {
  if (!PRINTABLE_LINE.test(line)) {
    throw new KernelError(`cannot run ip: unprintable batch line ${JSON.stringify(line)}`);
  }
}

/** Throws unless `value` is a plain token: letters, digits and `_ . : / -`. */
export function checkToken(action: string, what: string, value: string): void {
  if (!PLAIN_TOKEN.test(value)) {
    throw new KernelError(
      `cannot ${action}: ${what} ${JSON.stringify(value)} has characters other than letters, digits and _ . : / -`,
    );
  }
}

/**
 * An interface name as ip's check_ifname() wants it (1–15 bytes, no `/`, no blank), then a plain
 * token. `what` is the ip keyword it follows: "name", "dev", "link".
 */
export function checkIfname(action: string, what: string, name: string): void {
  if (name === '' || Buffer.byteLength(name) > 15 || /[/\s]/.test(name)) {
    throw new KernelError(
      `cannot ${action}: argument ${JSON.stringify(name)} is wrong: "${what}" not a valid ifname`,
    );
  }
  checkToken(action, what, name);
}

/** An MTU as ip parses it: an unsigned integer. 0 means "the parent's" to the callers, never sent. */
export function checkMtu(action: string, mtu: number | undefined): void {
  if (mtu !== undefined && (!Number.isInteger(mtu) || mtu < 0 || mtu > 0xffffffff)) {
    throw new KernelError(`cannot ${action}: argument "${mtu}" is wrong: Invalid "mtu" value`);
  }
}

/**
 * A MAC as six hex bytes. (ip itself also reads one-digit bytes, and names only the bad byte when it
 * cannot read one: stricter here, with the whole value in the message.)
 */
export function checkMac(action: string, mac: string): void {
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac)) {
    throw new KernelError(`cannot ${action}: address ${JSON.stringify(mac)} is not a MAC (six hex bytes)`);
  }
}

/** A link alias: at most 255 bytes (longer, ip ends the batch), and a plain token. "" means no alias. */
export function checkAlias(action: string, alias: string): void {
  if (Buffer.byteLength(alias) > MAX_ALIAS_BYTES) {
    throw new KernelError(`cannot ${action}: argument ${JSON.stringify(alias)} is wrong: alias too long`);
  }
  if (alias !== '') checkToken(action, 'alias', alias);
}

/** Which family an address or prefix belongs to, or undefined when ip would not read it as one. */
function familyOf(address: string): 4 | 6 | undefined {
  // ipaddr.js alone also takes "10.1" and "0x0a.0.0.1"; ip takes neither as the caller meant it.
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return 4;
  return address.includes(':') && ipaddr.IPv6.isValid(address) ? 6 : undefined;
}

/** An address in CIDR form ("192.168.0.3/24", "2001:db8::3/64"); returns its family. */
export function checkCidr(action: string, what: string, cidr: string): 4 | 6 {
  const [address, length, ...rest] = cidr.split('/');
  const family = familyOf(address);
  const max = family === 4 ? 32 : 128;
  if (family === undefined || rest.length > 0 || !/^\d{1,3}$/.test(length ?? '') || Number(length) > max) {
    throw new KernelError(`cannot ${action}: ${what} ${JSON.stringify(cidr)} is not an address in CIDR form`);
  }
  return family;
}

/**
 * A route's destination: a prefix without host bits. (The kernel refuses "10.9.0.5/24" for IPv4 but
 * quietly masks it for IPv6; refusing both keeps the two drivers alike.)
 */
export function checkPrefix(action: string, what: string, cidr: string): 4 | 6 {
  const family = checkCidr(action, what, cidr);
  const [address, length] = ipaddr.parseCIDR(cidr);
  const bits = address.toByteArray().flatMap((byte) => [...byte.toString(2).padStart(8, '0')]);
  if (bits.slice(length).includes('1')) {
    throw new KernelError(`cannot ${action}: ${what} ${cidr} has host bits set (not a prefix)`);
  }
  return family;
}

/** A plain address (a gateway); returns its family. */
export function checkAddress(action: string, what: string, address: string): 4 | 6 {
  const family = familyOf(address);
  if (family === undefined) {
    throw new KernelError(`cannot ${action}: ${what} ${JSON.stringify(address)} is not an IP address`);
  }
  return family;
}

/** A NetnsRef that the driver can name on an ip command line and on nsenter's. */
export function checkNetnsRef(action: string, ref: NetnsRef): void {
  if ('pid' in ref) {
    if (!Number.isInteger(ref.pid) || ref.pid <= 0) {
      throw new KernelError(`cannot ${action}: netns pid ${ref.pid} is not a process id`);
    }
  } else if ('path' in ref) {
    checkToken(action, 'netns path', ref.path);
    if (!ref.path.startsWith('/'))
      throw new KernelError(`cannot ${action}: netns path ${ref.path} is not absolute`);
  } else {
    checkToken(action, 'netns name', ref.name);
    if (ref.name.includes('/') || ref.name === '.' || ref.name === '..') {
      throw new KernelError(`cannot ${action}: netns name ${JSON.stringify(ref.name)} is not a name`);
    }
  }
}

/** What every new link of the drivers takes. */
export interface NewLinkArguments {
  name: string;
  alias: string;
  parent?: string;
  mtu?: number;
  mac?: string;
  mode?: string;
}

/** The checks of a new link's arguments, in the order both drivers make them. */
export function checkNewLinkArguments(action: string, o: NewLinkArguments): void {
  checkIfname(action, 'name', o.name);
  if (o.parent !== undefined) checkIfname(action, 'link', o.parent);
  checkMtu(action, o.mtu);
  if (o.mac !== undefined) checkMac(action, o.mac);
  if (o.mode !== undefined) checkToken(action, 'mode', o.mode);
  checkAlias(action, o.alias);
}
