/**
 * The protobuf wire format, as much of it as the CNI plugin's few messages use: varints, and
 * length-delimited strings and messages. Written here rather than taken from @bufbuild/protobuf's
 * `wire` module because loading that module costs a plugin start about 10 ms (measured here:
 * 10.1-11.5 ms of a 25 ms load, against 1-2 ms for this), and the plugin's own budget is 10 ms.
 * test/unit/cniWire.test.ts checks every message against the generated (ts-proto) codecs.
 */

/** Wire types. */
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

export class ProtoWriter {
  private readonly parts: Buffer[] = [];

  private varint(value: number): void {
    const bytes: number[] = [];
    let v = value >>> 0;
    while (v > 0x7f) {
      bytes.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    bytes.push(v);
    this.parts.push(Buffer.from(bytes));
  }

  /** A string field; proto3 leaves out the empty string. */
  string(field: number, value: string): this {
    if (value === '') return this;
    const bytes = Buffer.from(value, 'utf8');
    this.varint((field << 3) | LEN);
    this.varint(bytes.length);
    this.parts.push(bytes);
    return this;
  }

  /** A message field (always written: an empty message is a present one). */
  message(field: number, body: ProtoWriter): this {
    const bytes = body.finish();
    this.varint((field << 3) | LEN);
    this.varint(bytes.length);
    this.parts.push(bytes);
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Reads the fields of one message: `field` is called with each field's number and its value. */
export function readFields(
  bytes: Uint8Array,
  field: (number: number, value: { varint?: number; bytes?: Uint8Array }) => void,
): void {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (pos >= buffer.length) throw new Error('truncated protobuf message');
      const byte = buffer[pos++];
      if (shift < 32) result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
      if (shift > 63) throw new Error('malformed protobuf varint');
    }
  };
  while (pos < buffer.length) {
    const tag = varint();
    const number = Math.floor(tag / 8);
    switch (tag & 7) {
      case VARINT:
        field(number, { varint: varint() });
        break;
      case LEN: {
        const length = varint();
        if (pos + length > buffer.length) throw new Error('truncated protobuf message');
        field(number, { bytes: buffer.subarray(pos, pos + length) });
        pos += length;
        break;
      }
      case I64:
        pos += 8;
        break;
      case I32:
        pos += 4;
        break;
      default:
        throw new Error(`protobuf wire type ${tag & 7} is not one this plugin reads`);
    }
  }
  if (pos > buffer.length) throw new Error('truncated protobuf message');
}

/** A length-delimited value as UTF-8 text. */
export function text(value: { bytes?: Uint8Array }): string {
  const b = value.bytes;
  return b ? Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8') : '';
}
