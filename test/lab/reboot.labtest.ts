/**
 * A host reboot on a real kernel (runs inside user-mode Linux, twice, with the same state dir):
 * phase "before" creates networks on sub-interfaces, a bond VLAN and an internal network, then the
 * instance is powered off without stopping the agent; phase "after" boots a fresh kernel with only the
 * host's own NICs and checks that the agent restored every link it owns before it reported SERVING.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AgentClient, NetworkState, type NetworkSpec } from '../../client/src';
import { spawnAgent, type AgentProcess } from '../support/agentProcess';
import { buildLabHost, ip, linkIn } from './labHost';

const NS = 'mvt-labboot';
const STATE = process.env.MVNET_LAB_STATE ?? '/tmp';
const AGENT_STATE = path.join(STATE, 'reboot-agent');
const FACTS = path.join(STATE, 'reboot-facts.json');
const PHASE = process.env.MVNET_LAB_PHASE;

const NETWORKS: NetworkSpec[] = [
  {
    name: 'macvlan10',
    parent: 'eth0.10',
    hostAccess: true,
    subnets: [{ cidr: '192.168.10.0/24', gateway: '192.168.10.1', ipRange: '', auxAddresses: {} }],
  },
  {
    name: 'macvlan20',
    parent: 'eth0',
    vlanId: 20,
    subnets: [{ cidr: '192.168.20.0/24', gateway: '192.168.20.1', ipRange: '', auxAddresses: {} }],
  },
  {
    name: 'bond30',
    parent: 'bond0.30',
    promiscuous: true,
    subnets: [{ cidr: '192.168.30.0/24', gateway: '192.168.30.1', ipRange: '', auxAddresses: {} }],
  },
  {
    name: 'iso',
    parent: '',
    subnets: [{ cidr: '172.30.0.0/24', gateway: '172.30.0.1', ipRange: '', auxAddresses: {} }],
  },
];

interface Facts {
  bootId: string;
  revision: number;
  links: string[];
}

(PHASE === 'before' ? describe : describe.skip)('before the reboot', () => {
  it('creates networks whose links the agent owns', async () => {
    buildLabHost(NS);
    const agent = await spawnAgent({ stateDir: AGENT_STATE, netns: NS });
    const client = new AgentClient({ host: agent.address });
    for (const spec of NETWORKS) await client.createNetwork(spec);
    const { networks, revision } = await client.listNetworks();
    const links = networks.map((n) => n.status!.parentLink);
    expect(links).toHaveLength(4);
    links.push(networks.find((n) => n.name === 'macvlan10')!.status!.hostLink);
    for (const link of links) expect(linkIn(NS, link)!.ifalias).toMatch(/^mvnet:/);
    const facts: Facts = { bootId: (await client.getHost()).host.bootId, revision, links };
    fs.writeFileSync(FACTS, JSON.stringify(facts));
    client.close();
    // No graceful stop: the agent dies as it would when the power goes off (SIGKILL), and the instance
    // is powered off with its links still in place.
    await agent.kill();
  });
});

(PHASE === 'after' ? describe : describe.skip)('after the reboot', () => {
  let agent: AgentProcess | undefined;
  afterAll(async () => {
    await agent?.stop();
  });

  it('restores sub-interfaces, the bond VLAN, the dummy, promiscuous mode and the host shim before serving', async () => {
    const facts = JSON.parse(fs.readFileSync(FACTS, 'utf8')) as Facts;
    buildLabHost(NS);
    for (const link of facts.links) expect(linkIn(NS, link)).toBeUndefined();
    agent = await spawnAgent({ stateDir: AGENT_STATE, netns: NS });
    // Checked the moment the agent says it serves, before any call: restoring comes first.
    for (const link of facts.links) {
      const restored = linkIn(NS, link)!;
      expect(restored).toBeDefined();
      expect(restored.flags).toContain('UP');
      expect(restored.ifalias).toMatch(/^mvnet:/);
    }
    expect(linkIn(NS, 'eth0.10')!.linkinfo.info_data.id).toBe(10);
    expect(linkIn(NS, 'eth0.20')!.linkinfo.info_data.id).toBe(20);
    expect(linkIn(NS, 'bond0.30')!.link).toBe('bond0');
    expect(linkIn(NS, 'bond0.30')!.flags).toContain('PROMISC');
    const shim = JSON.parse(ip('-n', NS, '-j', 'addr', 'show', 'dev', facts.links[4]))[0];
    const global = shim.addr_info.filter((a: { scope: string }) => a.scope === 'global');
    expect(global.map((a: { local: string }) => a.local)).toEqual(['192.168.10.254']);
    expect(agent.logs.some((l) => l.msg === 'host rebooted since last run: restoring')).toBe(true);
    const client = new AgentClient({ host: agent.address });
    const { host } = await client.getHost();
    expect(host.bootId).not.toBe(facts.bootId);
    const { networks, revision } = await client.listNetworks();
    expect(networks.map((n) => n.name).sort()).toEqual(['bond30', 'iso', 'macvlan10', 'macvlan20']);
    for (const n of networks) expect(n.status!.state).toBe(NetworkState.NETWORK_STATE_READY);
    // Each repair is a change with its own revision (a DRIFT event), after the ones before the reboot.
    expect(revision).toBeGreaterThanOrEqual(facts.revision + 5);
    client.close();
  });
});
