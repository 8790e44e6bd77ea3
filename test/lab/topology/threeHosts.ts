import type { HostSpec, TopologySpec } from './topology';

/** The VLANs trunked to every host's eth0, tagged. */
export const TRUNKED_VLANS = [10, 20, 30];

/** The VLAN of eth0's untagged frames (the bridge's usual default pvid): the flat network of seed demo 1. */
export const NATIVE_VLAN = 1;

/** The VLAN trunked to the bond's ports, tagged. */
export const BOND_VLAN = 30;

function host(name: string): HostSpec {
  return {
    name,
    nics: [
      { name: 'eth0', port: { mode: 'trunk', vlans: TRUNKED_VLANS, native: NATIVE_VLAN } },
      { name: 'eth1', port: { mode: 'trunk', vlans: [BOND_VLAN] } },
      { name: 'eth2', port: { mode: 'trunk', vlans: [BOND_VLAN] } },
    ],
    bonds: [{ name: 'bond0', mode: 'active-backup', slaves: ['eth1', 'eth2'] }],
  };
}

/**
 * The lab's standard fleet: hosts h1, h2, h3, each with eth0 on a trunk port (VLANs 10, 20, 30 tagged,
 * VLAN 1 untagged, so a macvlan directly on eth0 is one flat network across hosts), and bond0, an
 * active-backup bond of eth1 and eth2, both on trunk ports carrying VLAN 30 tagged only.
 */
export function threeHosts(): TopologySpec {
  return { prefix: 'mvt-lab-', hosts: ['h1', 'h2', 'h3'].map(host), mgmtSubnet24: '10.255.0' };
}
