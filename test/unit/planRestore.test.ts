import type { KernelCapabilities, LinkInfo } from '../../agent/src/domain/ports/LinkDriver';
import type { NetworkRecord } from '../../agent/src/domain/model';
import { normalizeNetworkSpec } from '../../agent/src/domain/normalizeNetwork';
import { observeNetworkState } from '../../agent/src/domain/networkStatus';
import { planRestore } from '../../agent/src/domain/planRestore';
import { networkInput } from '../support/memoryHost';

const CAPS: KernelCapabilities = {
  vlan8021q: true,
  macvlan: true,
  dummy: true,
  bonding: true,
  vlanFilteringBridge: true,
};

const link = (name: string, more: Partial<LinkInfo> = {}): LinkInfo => ({
  name,
  index: 1,
  kind: '',
  linkType: 'ether',
  mtu: 1500,
  adminUp: true,
  operState: 'UP',
  mac: '02:00:00:00:00:01',
  promiscuous: false,
  ...more,
});

const macvlan10: NetworkRecord = {
  spec: normalizeNetworkSpec(networkInput()),
  status: {
    state: 'ready',
    message: '',
    parentLink: 'eth0.10',
    parentLinkOwned: true,
    promiscuousSetByAgent: false,
    revision: 1,
  },
};

describe('planRestore and the state of a sub-interface whose lower link is down', () => {
  const vlan = (adminUp: boolean) =>
    link('eth0.10', {
      kind: 'vlan',
      vlanId: 10,
      parent: 'eth0',
      alias: 'mvnet:macvlan10',
      adminUp,
      operState: adminUp ? 'UP' : 'DOWN',
    });

  it('sets up an owned sub-interface set down by hand', () => {
    const links = new Map([
      ['eth0', link('eth0')],
      ['eth0.10', vlan(false)],
    ]);
    expect(planRestore([macvlan10], links, CAPS, 'host-1').map((s) => s.ops)).toEqual([
      [{ op: 'setUp', name: 'eth0.10' }],
    ]);
  });

  it('leaves it alone when the kernel took it down with its lower (eth0 set down), and names eth0 as the cause', () => {
    const eth0 = link('eth0', { adminUp: false, operState: 'DOWN' });
    const links = new Map([
      ['eth0', eth0],
      ['eth0.10', vlan(false)],
    ]);
    expect(planRestore([macvlan10], links, CAPS, 'host-1')).toEqual([]);
    expect(observeNetworkState('eth0.10', vlan(false), eth0)).toEqual({
      state: 'degraded',
      message: 'parent link eth0.10 is down (admin down): its lower link eth0 is down (admin down)',
    });
  });
});
