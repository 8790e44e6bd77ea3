import { arpProbe, arpSenderOf } from '../../agent/src/kernel/netlink/arpMessages';

const PROBE_MAC = Buffer.from('02aabbccddee', 'hex');

/** An Ethernet/IPv4 ARP message written out field by field (RFC 826), as hex. */
const arpHex = (op: string, sha: string, spa: string, tha: string, tpa: string) =>
  `0001 0800 06 04 ${op} ${sha} ${spa} ${tha} ${tpa}`.replace(/ /g, '');

/** What Linux answers a probe for 10.9.0.1 with: a reply from the holder, to the probe's MAC. */
const REPLY = Buffer.from(arpHex('0002', '5e0000000001', '0a090001', '02aabbccddee', '00000000'), 'hex');

describe('arpMessages: RFC 5227 probes and the sender of what comes back', () => {
  it('writes a probe as RFC 5227 has it: a request from 0.0.0.0, target hardware address zero', () => {
    expect(arpProbe(PROBE_MAC, '10.9.0.1').toString('hex')).toBe(
      arpHex('0001', '02aabbccddee', '00000000', '000000000000', '0a090001'),
    );
  });

  it('reads the sender of a reply, and of a request (RFC 5227 counts both), padding or not', () => {
    expect(arpSenderOf(REPLY)).toBe('10.9.0.1');
    const padded = Buffer.concat([REPLY, Buffer.alloc(18)]); // a minimum Ethernet frame's padding
    expect(arpSenderOf(padded)).toBe('10.9.0.1');
    const request = Buffer.from(
      arpHex('0001', '5e0000000001', '0a090001', '000000000000', '0a090063'),
      'hex',
    );
    expect(arpSenderOf(request)).toBe('10.9.0.1');
    expect(arpSenderOf(arpProbe(PROBE_MAC, '10.9.0.1'))).toBe('0.0.0.0'); // a probe names nobody
  });

  it('reads nothing from what is not Ethernet/IPv4 ARP, or is cut short', () => {
    const variant = (offset: number, bytes: number[]) => {
      const b = Buffer.from(REPLY);
      Buffer.from(bytes).copy(b, offset);
      return b;
    };
    for (const packet of [
      REPLY.subarray(0, 27), // one byte short
      Buffer.alloc(0),
      variant(0, [0x00, 0x06]), // IEEE 802 hardware
      variant(2, [0x86, 0xdd]), // not IPv4
      variant(4, [8]), // a hardware address of 8 bytes
      variant(5, [16]), // a protocol address of 16 bytes
      variant(6, [0x00, 0x03]), // RARP request
      variant(6, [0x00, 0x00]),
    ]) {
      expect(arpSenderOf(packet)).toBeUndefined();
    }
  });
});
