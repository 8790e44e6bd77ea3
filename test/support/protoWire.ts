/**
 * Protobuf written by hand, for what no message object can hold: a map entry whose key is
 * `__proto__` (ts-proto's encoder, like its decoder, drops it), or bytes that are no message at all.
 */

/** A varint of up to 14 bits. */
function varint(n: number): Buffer {
  return n < 0x80 ? Buffer.from([n]) : Buffer.from([(n & 0x7f) | 0x80, n >> 7]);
}

/** A length-delimited field. */
export function lengthField(number: number, body: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([(number << 3) | 2]), varint(body.length), body]);
}

/** A `map<string, string>` entry of field `number`. */
export function mapEntry(number: number, key: string, value: string): Buffer {
  return lengthField(
    number,
    Buffer.concat([lengthField(1, Buffer.from(key)), lengthField(2, Buffer.from(value))]),
  );
}
