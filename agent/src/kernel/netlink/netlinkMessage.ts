/**
 * The framing of rtnetlink (linux/netlink.h): a message is a 16-byte header, a fixed struct, then
 * attributes (length, type, payload, each padded to 4 bytes). Native byte order throughout (little
 * endian on the machines here), as the kernel uses. The messages themselves are in linkMessages,
 * addressRouteMessages and nsidMessages.
 */

export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;

export const NLM_F_REQUEST = 0x1;
export const NLM_F_ACK = 0x4;
/** GET with DUMP: every object, in as many replies as it takes, ended by NLMSG_DONE. */
export const NLM_F_DUMP = 0x300;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
/** In an ack: attributes (the extended ack) follow the error. */
const NLM_F_ACK_TLVS = 0x200;
/** In an ack: the request is not echoed back (NETLINK_CAP_ACK). */
const NLM_F_CAPPED = 0x100;
const NLMSGERR_ATTR_MSG = 1;
/** The type bits of an attribute (the top two are the nested and byte-order flags). */
const NLA_TYPE_MASK = 0x3fff;

const HEADER = 16;

/** A request without its header: its type, its flags beyond REQUEST|ACK, and its body. */
export interface Request {
  type: number;
  flags: number;
  body: Buffer;
}

/** One message of a reply. */
export interface Reply {
  type: number;
  flags: number;
  seq: number;
  /** The message after its header. */
  payload: Buffer;
}

export const align = (n: number) => (n + 3) & ~3;

/** One attribute, padded. */
export function attr(type: number, payload: Buffer): Buffer {
  const out = Buffer.alloc(align(4 + payload.length));
  out.writeUInt16LE(4 + payload.length, 0);
  out.writeUInt16LE(type, 2);
  payload.copy(out, 4);
  return out;
}

export const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
};

export const s32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v);
  return b;
};

export const cString = (s: string) => Buffer.from(`${s}\0`);

/** The attributes from `at` to the end of `buf`, by type (the last one wins), payloads unpadded. */
export function parseAttributes(buf: Buffer, at = 0): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  while (at + 4 <= buf.length) {
    const length = buf.readUInt16LE(at);
    if (length < 4 || at + length > buf.length) break;
    out.set(buf.readUInt16LE(at + 2) & NLA_TYPE_MASK, buf.subarray(at + 4, at + length));
    at += align(length);
  }
  return out;
}

/** A NUL-terminated string attribute's text. */
export const textOf = (payload: Buffer) => payload.toString().replace(/\0.*$/s, '');

/** The whole message: header (length, type, flags, seq, port 0) and body. */
export function encodeMessage(request: Request, seq: number): Buffer {
  const header = Buffer.alloc(HEADER);
  header.writeUInt32LE(HEADER + request.body.length, 0);
  header.writeUInt16LE(request.type, 4);
  header.writeUInt16LE(NLM_F_REQUEST | NLM_F_ACK | request.flags, 6);
  header.writeUInt32LE(seq, 8);
  return Buffer.concat([header, request.body]);
}

/** Splits what one recv() read into messages. */
export function splitMessages(buf: Buffer): Reply[] {
  const out: Reply[] = [];
  let at = 0;
  while (at + HEADER <= buf.length) {
    const length = buf.readUInt32LE(at);
    if (length < HEADER || at + length > buf.length) break;
    out.push({
      type: buf.readUInt16LE(at + 4),
      flags: buf.readUInt16LE(at + 6),
      seq: buf.readUInt32LE(at + 8),
      payload: buf.subarray(at + HEADER, at + length),
    });
    at += align(length);
  }
  return out;
}

/** An NLMSG_ERROR: errno 0 is the ack of a success; the kernel's own message (extended ack) when it gave one. */
export function parseAck(reply: Reply): { errno: number; message?: string } {
  const { flags } = reply;
  const errno = -reply.payload.readInt32LE(0);
  if (errno === 0 || !(flags & NLM_F_ACK_TLVS)) return { errno };
  // struct nlmsgerr: the error, then the request's header (and its body unless capped); then attributes.
  const at = align(4 + (flags & NLM_F_CAPPED ? HEADER : reply.payload.readUInt32LE(4)));
  const message = parseAttributes(reply.payload, at).get(NLMSGERR_ATTR_MSG);
  return message === undefined ? { errno } : { errno, message: textOf(message) };
}
