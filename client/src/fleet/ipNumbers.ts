import ipaddr from 'ipaddr.js';

/** An IP family. */
export type Family = 4 | 6;

/** An address as a number, so that blocks and pools can be counted and stepped through. */
export interface IpNumber {
  family: Family;
  value: bigint;
}

/** A CIDR prefix: its first address and its length. */
export interface IpPrefix {
  family: Family;
  base: bigint;
  bits: number;
}

/** Address width in bits. */
export const WIDTH: Record<Family, number> = { 4: 32, 6: 128 };

/** No address text is longer (IPv6 with an embedded IPv4 address). */
const MAX_ADDRESS_TEXT = 45;

/**
 * Addresses parsed lately, by text: ipaddr.js takes some 20 µs over an IPv6 address, and a fleet's
 * checks read the same subnets and addresses once per host. Emptied when full.
 */
const parsed = new Map<string, IpNumber | undefined>();
const MAX_PARSED = 4096;

/**
 * An address as the agent reads it: four-part decimal IPv4 (not ipaddr.js's `10.1` or octal forms) or
 * IPv6 without a zone; undefined otherwise.
 */
export function ipNumber(text: string): IpNumber | undefined {
  if (text.length > MAX_ADDRESS_TEXT) return undefined;
  if (parsed.has(text)) return parsed.get(text);
  let ip: ipaddr.IPv4 | ipaddr.IPv6 | undefined;
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) ip = ipaddr.IPv4.parse(text);
  else if (text.includes(':') && !text.includes('%') && ipaddr.IPv6.isValid(text))
    ip = ipaddr.IPv6.parse(text);
  const value = ip?.toByteArray().reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
  const address: IpNumber | undefined =
    ip && value !== undefined ? { family: ip.kind() === 'ipv4' ? 4 : 6, value } : undefined;
  if (parsed.size >= MAX_PARSED) parsed.clear();
  parsed.set(text, address && Object.freeze(address));
  return address;
}

/** `a.b.c.d/n` or `x::/n`; `exact` is false when bits beyond the prefix were set (`10.0.0.1/24`). */
export function ipPrefix(text: string): { prefix: IpPrefix; exact: boolean } | undefined {
  const slash = text.indexOf('/');
  const address = slash < 0 ? undefined : ipNumber(text.slice(0, slash));
  const bitsText = text.slice(slash + 1);
  if (!address || !/^(0|[1-9]\d{0,2})$/.test(bitsText) || Number(bitsText) > WIDTH[address.family])
    return undefined;
  const bits = Number(bitsText);
  const base = address.value & ~hostMask(address.family, bits);
  return { prefix: { family: address.family, base, bits }, exact: base === address.value };
}

/** Addresses formatted lately (`4 3232243201`), as `parsed`. */
const formatted = new Map<string, string>();

/** The canonical text of an address (RFC 5952 for IPv6), as the agent stores it. */
export function formatIp(address: IpNumber): string {
  const key = `${address.family} ${address.value}`;
  const known = formatted.get(key);
  if (known !== undefined) return known;
  const width = WIDTH[address.family] / 8;
  const bytes = Array.from({ length: width }, (_, i) =>
    Number((address.value >> BigInt((width - 1 - i) * 8)) & 0xffn),
  );
  const ip = ipaddr.fromByteArray(bytes);
  const text = ip.kind() === 'ipv6' ? (ip as ipaddr.IPv6).toRFC5952String() : ip.toString();
  if (formatted.size >= MAX_PARSED) formatted.clear();
  formatted.set(key, text);
  return text;
}

/** The canonical text of a prefix. */
export function formatIpPrefix(prefix: IpPrefix): string {
  return `${formatIp({ family: prefix.family, value: prefix.base })}/${prefix.bits}`;
}

/** The canonical text of an address given as text, or the text itself when it is not an address. */
export function canonicalIp(text: string): string {
  const address = ipNumber(text);
  return address ? formatIp(address) : text;
}

/** The number of addresses in a prefix. */
export function prefixSize(prefix: IpPrefix): bigint {
  return 1n << BigInt(WIDTH[prefix.family] - prefix.bits);
}

/** The last address of a prefix (the broadcast address of an IPv4 subnet). */
export function prefixLast(prefix: IpPrefix): bigint {
  return prefix.base | hostMask(prefix.family, prefix.bits);
}

/** Whether an address lies inside a prefix. */
export function inPrefix(prefix: IpPrefix, address: IpNumber): boolean {
  return (
    prefix.family === address.family && address.value >= prefix.base && address.value <= prefixLast(prefix)
  );
}

function hostMask(family: Family, bits: number): bigint {
  return (1n << BigInt(WIDTH[family] - bits)) - 1n;
}
