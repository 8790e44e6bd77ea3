/**
 * The seed's second demo on a real kernel (inside user-mode Linux): hosts whose eth0 are trunk ports of
 * a VLAN-filtering bridge carrying VLANs 10 and 20. Each host's agent creates the sub-interfaces
 * eth0.10 and eth0.20 itself; containers in one VLAN reach each other across hosts, and a container in
 * VLAN 20 never reaches VLAN 10, even with an address of VLAN 10's subnet: only the VLAN keeps it apart.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { AgentClient, type NetworkSpec } from '../../client/src';
import { spawnAgent, type AgentProcess } from '../support/agentProcess';
import { waitFor } from '../support/waitFor';
import { ip, linkIn } from './labHost';

const SWITCH = 'mvt-trunk-sw';
const HOSTS = ['mvt-trunk-h1', 'mvt-trunk-h2', 'mvt-trunk-h3'];
const STATE = process.env.MVNET_LAB_STATE ?? '/tmp';

function net(name: string, parent: string, cidr24: string): NetworkSpec {
  return {
    name,
    parent,
    subnets: [{ cidr: `${cidr24}.0/24`, gateway: `${cidr24}.1`, ipRange: '', auxAddresses: {} }],
  };
}

function pings(fromNs: string, address: string): boolean {
  try {
    execFileSync('ip', ['netns', 'exec', fromNs, 'ping', '-c', '1', '-W', '1', address], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** The switch: a bridge with VLAN filtering, each host's eth0 plugged into a trunk port (VLANs 10, 20 tagged). */
function buildTrunkedSwitch(): void {
  ip('netns', 'add', SWITCH);
  ip('-n', SWITCH, 'link', 'add', 'br0', 'type', 'bridge', 'vlan_filtering', '1');
  ip('-n', SWITCH, 'link', 'set', 'br0', 'up');
  HOSTS.forEach((host, i) => {
    ip('netns', 'add', host);
    ip('-n', host, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', `trunk${i}`, 'netns', SWITCH);
    ip('-n', SWITCH, 'link', 'set', `trunk${i}`, 'master', 'br0', 'up');
    for (const vid of ['10', '20'])
      execFileSync('bridge', ['-n', SWITCH, 'vlan', 'add', 'dev', `trunk${i}`, 'vid', vid]);
    ip('-n', host, 'link', 'set', 'eth0', 'up');
  });
}

describe("VLAN trunking: the seed's second demo across three hosts", () => {
  const agents: AgentProcess[] = [];
  const clients: AgentClient[] = [];

  beforeAll(async () => {
    buildTrunkedSwitch();
    agents.push(
      ...(await Promise.all(
        HOSTS.map((host, i) => spawnAgent({ stateDir: path.join(STATE, `trunk-agent-${i}`), netns: host })),
      )),
    );
    clients.push(...agents.map((a) => new AgentClient({ host: a.address })));
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all(agents.map((a) => a.stop()));
  });

  it('creates eth0.10 and eth0.20 on each host through its agent', async () => {
    for (const client of clients.slice(0, 2)) {
      await client.createNetwork(net('macvlan10', 'eth0.10', '192.168.10'));
      await client.createNetwork(net('macvlan20', 'eth0.20', '192.168.20'));
    }
    // Host 3 has only VLAN 20, with VLAN 10's addresses.
    await clients[2].createNetwork(net('macvlan20', 'eth0.20', '192.168.10'));
    for (const host of HOSTS.slice(0, 2)) {
      const links = JSON.parse(ip('-n', host, '-d', '-j', 'link', 'show')) as Record<string, any>[];
      const vlans = links
        .filter((l) => l.linkinfo?.info_kind === 'vlan')
        .map((l) => [l.ifname, l.linkinfo.info_data.id]);
      expect(vlans.sort()).toEqual([
        ['eth0.10', 10],
        ['eth0.20', 20],
      ]);
    }
  });

  it('lets containers in VLAN 10 reach each other across hosts, and VLAN 20 likewise', async () => {
    const attach = async (i: number, network: string, name: string, address: string) => {
      ip('netns', 'add', name);
      await clients[i].createEndpoint({ network, netns: name, name, ipv4Address: address });
    };
    await attach(0, 'macvlan10', 'c1', '192.168.10.2');
    await attach(1, 'macvlan10', 'c2', '192.168.10.3');
    await attach(0, 'macvlan20', 'c4', '192.168.20.2');
    await attach(1, 'macvlan20', 'c5', '192.168.20.3');
    await attach(2, 'macvlan20', 'c3', '192.168.10.4');
    expect(pings('c1', '192.168.10.3')).toBe(true);
    expect(pings('c2', '192.168.10.2')).toBe(true);
    expect(pings('c5', '192.168.20.2')).toBe(true);
  });

  it('keeps a container in VLAN 20 away from VLAN 10, though it has an address of its subnet', () => {
    expect(pings('c3', '192.168.10.2')).toBe(false);
    expect(pings('c3', '192.168.10.3')).toBe(false);
    expect(pings('c1', '192.168.10.4')).toBe(false);
  });

  it('re-creates eth0.10 deleted by hand, with its mark, and the endpoints on it: VLAN 10 reaches across again', async () => {
    const host = HOSTS[0];
    ip('-n', host, 'link', 'del', 'eth0.10'); // c1's macvlan goes with it
    expect(pings('c2', '192.168.10.2')).toBe(false);
    const restored = await waitFor('eth0.10 made again, marked and up', () => {
      const link = linkIn(host, 'eth0.10');
      return link?.ifalias === 'mvnet:macvlan10' && (link.flags as string[]).includes('UP') && link;
    }).catch((err: Error) => {
      const log = agents[0].logs.slice(-25).map((l) => JSON.stringify(l));
      throw new Error(
        `${err.message}\nhost links: ${ip('-n', host, '-br', 'link')}\nagent log:\n${log.join('\n')}`,
      );
    });
    expect(restored.linkinfo).toMatchObject({ info_kind: 'vlan', info_data: { id: 10 } });
    await waitFor('c1 reachable again across hosts', () => pings('c2', '192.168.10.2'));
    const c1 = await clients[0].getEndpoint('macvlan10', 'c1');
    expect(c1.ipv4Address).toBe('192.168.10.2');
    expect(linkIn('c1', 'eth0')).toMatchObject({ ifalias: 'mvnet:macvlan10/c1', address: c1.macAddress });
    // The other VLAN and the other hosts were left alone.
    expect(pings('c5', '192.168.20.2')).toBe(true);
    expect(pings('c3', '192.168.10.2')).toBe(false);
  });
});
