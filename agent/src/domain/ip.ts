import ipaddr from 'ipaddr.js';

/** An IP family. */
export type Family = 4 | 6;

/** An address as a number, so that IPAM can count, compare and step through a subnet. */
export interface Address {
  family: Family;
  value: bigint;
}

/** A CIDR prefix: its first address and its length. */
export interface Prefix {
  family: Family;
  base: bigint;
  bits: number;
}

const WIDTH: Record<Family, number> = { 4: 32, 6: 128 };

/** The longest text of an IP address: IPv6 with an embedded IPv4 address. */
const MAX_ADDRESS_TEXT = 45;

/**
 * The addresses parsed lately, by text: an attach parses the host's addresses and the network's
 * subnets again each time, and ipaddr.js's parser is most of what planning one costs. Bounded: emptied
 * when full. Its values are frozen, so no caller can change another's.
 */
const parsed = new Map<string, Readonly<Address> | undefined>();
const PARSED_MAX = 4096;

/**
 * Parses an address strictly: four-part decimal IPv4 (no "10.1" or octal forms, which ipaddr.js would
 * otherwise accept) or IPv6 without a zone. Undefined when it is not one.
 */
export function parseAddress(text: string): Readonly<Address> | undefined {
  // No address is longer (ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255): a longer text is not
  // handed to the parser at all, nor remembered.
  if (text.length > MAX_ADDRESS_TEXT) return undefined;
  if (parsed.has(text)) return parsed.get(text);
  if (parsed.size >= PARSED_MAX) parsed.clear();
  const address = parseUncached(text);
  parsed.set(text, address && Object.freeze(address));
  return address;
}

function parseUncached(text: string): Address | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    return { family: 4, value: bytesToBigint(ipaddr.IPv4.parse(text).toByteArray()) };
  }
  if (text.includes(':') && !text.includes('%') && ipaddr.IPv6.isValid(text)) {
    return { family: 6, value: bytesToBigint(ipaddr.IPv6.parse(text).toByteArray()) };
  }
  return undefined;
}

/** Parses "a.b.c.d/n" or "x::/n". `hostBitsSet` tells that the address was not the prefix's first one. */
export function parsePrefix(text: string): { prefix: Prefix; hostBitsSet: boolean } | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = parseAddress(text.slice(0, slash));
  const bitsText = text.slice(slash + 1);
  // Digits without a leading zero: "/024" is not how anyone writes 24, and one text, one prefix.
  if (!address || !/^(0|[1-9]\d{0,2})$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > WIDTH[address.family]) return undefined;
  const base = address.value & mask(address.family, bits);
  return { prefix: { family: address.family, base, bits }, hostBitsSet: base !== address.value };
}

/** The canonical text of an address (RFC 5952 for IPv6). */
export function formatAddress(address: Address): string {
  if (address.family === 4) {
    // Written here, not by ipaddr.js: an allocation's walk formats every address it passes.
    const v = Number(address.value);
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  const width = WIDTH[address.family] / 8;
  const bytes: number[] = [];
  for (let i = width - 1; i >= 0; i--) bytes.push(Number((address.value >> BigInt(i * 8)) & 0xffn));
  const ip = ipaddr.fromByteArray(bytes);
  return ip.kind() === 'ipv6' ? (ip as ipaddr.IPv6).toRFC5952String() : ip.toString();
}

/** The canonical text of a prefix. */
export function formatPrefix(prefix: Prefix): string {
  return `${formatAddress({ family: prefix.family, value: prefix.base })}/${prefix.bits}`;
}

/** The last address of a prefix (the broadcast address of an IPv4 subnet). */
export function lastAddress(prefix: Prefix): bigint {
  return prefix.base | (~mask(prefix.family, prefix.bits) & allOnes(prefix.family));
}

/** Whether an address lies inside a prefix. */
export function prefixContains(prefix: Prefix, address: Address): boolean {
  return (
    prefix.family === address.family && (address.value & mask(prefix.family, prefix.bits)) === prefix.base
  );
}

/** Whether `inner` lies wholly inside `outer`. */
export function prefixCovers(outer: Prefix, inner: Prefix): boolean {
  return inner.bits >= outer.bits && prefixContains(outer, { family: inner.family, value: inner.base });
}

/** Whether two prefixes share any address. */
export function prefixesOverlap(a: Prefix, b: Prefix): boolean {
  return prefixCovers(a, b) || prefixCovers(b, a);
}

function allOnes(family: Family): bigint {
  return (1n << BigInt(WIDTH[family])) - 1n;
}

function mask(family: Family, bits: number): bigint {
  const hostBits = BigInt(WIDTH[family] - bits);
  return (allOnes(family) >> hostBits) << hostBits;
}

function bytesToBigint(bytes: number[]): bigint {
  return bytes.reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
}
