/**
 * The lab's kernel has what this machine's lacks: 802.1q sub-interfaces, dummy links, bonding and
 * VLAN-filtering bridges, and macvlan children of a sub-interface inside a named netns. Runs inside
 * a lab instance (kernel.test.ts boots one); each test builds its links and removes them.
 */
import { bridge, ip, showLink, showLinks } from './ipLinks';

/** Links and namespaces a test made, removed after it (deleting one end of a veth takes both). */
const created: string[] = [];
const createdNetns: string[] = [];

function addLink(name: string, ...args: string[]): void {
  ip('link', 'add', ...args);
  created.push(name);
}

afterEach(() => {
  for (const name of created.splice(0).reverse()) {
    if (showLinks().some((l) => l.ifname === name)) ip('link', 'del', 'dev', name);
  }
  for (const netns of createdNetns.splice(0)) ip('netns', 'del', netns);
});

describe('the lab kernel', () => {
  it('creates an 802.1q sub-interface eth0.10 on one end of a veth pair', () => {
    addLink('eth0', 'eth0', 'type', 'veth', 'peer', 'name', 'peer0');
    addLink('eth0.10', 'link', 'eth0', 'name', 'eth0.10', 'type', 'vlan', 'id', '10');

    const vlan = showLink('eth0.10');
    expect(vlan.link).toBe('eth0');
    expect(vlan.linkinfo?.info_kind).toBe('vlan');
    expect(vlan.linkinfo?.info_data).toMatchObject({ protocol: '802.1Q', id: 10 });
    expect(showLink('eth0').linkinfo?.info_kind).toBe('veth');
  });

  it('refuses a second sub-interface with the same VLAN id on the same parent', () => {
    addLink('eth0', 'eth0', 'type', 'veth', 'peer', 'name', 'peer0');
    addLink('eth0.20', 'link', 'eth0', 'name', 'eth0.20', 'type', 'vlan', 'id', '20');
    // The kernel's own words (iproute2 prints them after "Error:"); the agent maps this case itself.
    expect(() => ip('link', 'add', 'link', 'eth0', 'name', 'other20', 'type', 'vlan', 'id', '20')).toThrow(
      /VLAN device already exists/,
    );
  });

  it('creates a dummy link', () => {
    addLink('dummy0', 'dummy0', 'type', 'dummy');
    expect(showLink('dummy0').linkinfo?.info_kind).toBe('dummy');
  });

  it('creates an active-backup bond with a dummy as its slave', () => {
    addLink('bond0', 'bond0', 'type', 'bond', 'mode', 'active-backup');
    addLink('dummy1', 'dummy1', 'type', 'dummy');
    ip('link', 'set', 'dummy1', 'master', 'bond0');

    const bond = showLink('bond0');
    expect(bond.linkinfo?.info_kind).toBe('bond');
    expect(bond.linkinfo?.info_data).toMatchObject({ mode: 'active-backup' });
    const slave = showLink('dummy1');
    expect(slave.master).toBe('bond0');
    expect(slave.linkinfo?.info_slave_kind).toBe('bond');
  });

  it('creates a VLAN-filtering bridge that carries VLAN 10 on a port', () => {
    addLink('br0', 'br0', 'type', 'bridge', 'vlan_filtering', '1');
    addLink('port0', 'port0', 'type', 'veth', 'peer', 'name', 'port0p');
    ip('link', 'set', 'port0', 'master', 'br0');
    bridge('vlan', 'add', 'dev', 'port0', 'vid', '10');

    const br = showLink('br0');
    expect(br.linkinfo?.info_kind).toBe('bridge');
    expect(br.linkinfo?.info_data).toMatchObject({ vlan_filtering: 1 });
    const vlans = JSON.parse(bridge('-j', 'vlan', 'show', 'dev', 'port0')) as {
      ifname: string;
      vlans: { vlan: number }[];
    }[];
    expect(vlans[0].vlans.map((v) => v.vlan)).toContain(10);
  });

  it('moves a macvlan child of eth0.10 into a named netns', () => {
    addLink('eth0', 'eth0', 'type', 'veth', 'peer', 'name', 'peer0');
    addLink('eth0.10', 'link', 'eth0', 'name', 'eth0.10', 'type', 'vlan', 'id', '10');
    ip('netns', 'add', 'c1');
    createdNetns.push('c1');
    ip('link', 'add', 'link', 'eth0.10', 'name', 'mv0', 'type', 'macvlan', 'mode', 'bridge');
    ip('link', 'set', 'mv0', 'netns', 'c1', 'name', 'eth0');

    const child = showLink('eth0', 'c1');
    expect(child.linkinfo?.info_kind).toBe('macvlan');
    expect(child.linkinfo?.info_data).toMatchObject({ mode: 'bridge' });
  });
});
