import ipaddr from 'ipaddr.js';

/** A test for prefixes equal to `cidr`, however their addresses are written ("2001:DB8::/64" = "2001:db8::/64"). */
export function samePrefix(cidr: string): (other: string) => boolean {
  const [address, bits] = ipaddr.parseCIDR(cidr);
  return (other) => {
    if (!ipaddr.isValidCIDR(other)) return false;
    const [otherAddress, otherBits] = ipaddr.parseCIDR(other);
    return (
      otherBits === bits &&
      otherAddress.kind() === address.kind() &&
      otherAddress.toString() === address.toString()
    );
  };
}
