/**
 * ARP over Ethernet for IPv4 (RFC 826), as an AF_PACKET SOCK_DGRAM socket sends and reads it: the
 * 28-byte ARP message alone, the kernel adding and removing the Ethernet header. A probe is RFC 5227's:
 * a request whose sender protocol address is 0.0.0.0, so that no host learns anything from it.
 */
import ipaddr from 'ipaddr.js';

export const ETH_P_ARP = 0x0806;
const ETH_P_IP = 0x0800;
export const ARPHRD_ETHER = 1;
const ARPOP_REQUEST = 1;
const ARPOP_REPLY = 2;
const ARP_LENGTH = 28;

/** An RFC 5227 probe for `target` from `senderMac`: sender address 0.0.0.0, target hardware address 0. */
export function arpProbe(senderMac: Buffer, target: string): Buffer {
  const b = Buffer.alloc(ARP_LENGTH);
  b.writeUInt16BE(ARPHRD_ETHER, 0);
  b.writeUInt16BE(ETH_P_IP, 2);
  b.writeUInt8(6, 4);
  b.writeUInt8(4, 5);
  b.writeUInt16BE(ARPOP_REQUEST, 6);
  senderMac.copy(b, 8);
  // spa (14..17) and tha (18..23) stay zero.
  Buffer.from(ipaddr.IPv4.parse(target).toByteArray()).copy(b, 24);
  return b;
}

/**
 * The sender protocol address of an Ethernet/IPv4 ARP request or reply (a frame's padding may follow
 * it); undefined for anything else. A host that speaks ARP with an address as its sender holds it
 * (RFC 5227, 2.1.1, counts requests as well as replies).
 */
export function arpSenderOf(packet: Buffer): string | undefined {
  if (packet.length < ARP_LENGTH) return undefined;
  const ethernetIpv4 =
    packet.readUInt16BE(0) === ARPHRD_ETHER &&
    packet.readUInt16BE(2) === ETH_P_IP &&
    packet.readUInt8(4) === 6 &&
    packet.readUInt8(5) === 4;
  const op = packet.readUInt16BE(6);
  if (!ethernetIpv4 || (op !== ARPOP_REQUEST && op !== ARPOP_REPLY)) return undefined;
  return [...packet.subarray(14, 18)].join('.');
}
