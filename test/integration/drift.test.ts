import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createChannel, createClient, type Channel, type Client } from 'nice-grpc';
import { AgentServiceDefinition, type WatchResponse } from '../../proto/gen/mvnet/v1/agent_service';
import { NetworkState } from '../../proto/gen/mvnet/v1/network';
import { EventType } from '../../proto/gen/mvnet/v1/watch';
import { spawnAgent, type AgentProcess } from '../support/agentProcess';
import { ipIn, makeSwitchedHosts, pings, type SwitchedHosts } from '../support/switchedHosts';
import { waitFor } from '../support/waitFor';

/**
 * Changes behind the agent's back on this kernel, seen through the kernel's rtnetlink notifications:
 * repaired where the link is the agent's, reported where it is not, and foreign links left alone. (What
 * the monitor does when it loses notifications, or its reader dies, is in rtnlLinkMonitor.test.ts.)
 */
describe("drift: changes behind the agent's back", () => {
  let lab: SwitchedHosts;
  let dir: string;
  let agent: AgentProcess;
  let channel: Channel;
  let client: Client<typeof AgentServiceDefinition>;
  const events: WatchResponse[] = [];
  const watching = new AbortController();

  beforeAll(async () => {
    lab = await makeSwitchedHosts('drift', 1);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-drift-'));
    agent = await spawnAgent({ stateDir: dir, netns: lab.hosts[0] });
    channel = createChannel(agent.address);
    client = createClient(AgentServiceDefinition, channel);
    await client.createNetwork({
      network: {
        name: 'mvnet',
        parent: 'eth0',
        subnets: [{ cidr: '192.168.0.0/24', gateway: '192.168.0.1', ipRange: '', auxAddresses: {} }],
      },
    });
    void (async () => {
      try {
        for await (const e of client.watch({ sinceRevision: 0 }, { signal: watching.signal })) events.push(e);
      } catch {
        // Ended by the test.
      }
    })();
  });

  afterAll(async () => {
    watching.abort();
    channel?.close();
    await agent?.stop();
    await lab?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const driftFor = (name: string) =>
    events.filter(
      (e) =>
        e.type === EventType.EVENT_TYPE_DRIFT &&
        e.object?.value &&
        'name' in e.object.value &&
        e.object.value.name === name,
    );

  it('re-attaches an endpoint whose link was deleted by hand, with its address and route, and reports DRIFT', async () => {
    const c1 = await lab.container('c1');
    const { endpoint } = await client.createEndpoint({
      endpoint: { network: 'mvnet', netns: c1, name: 'c1', ipv4Address: '192.168.0.3' },
    });
    await new Promise((r) => setTimeout(r, 300)); // the agent follows the new netns after answering
    ipIn(c1, 'link', 'del', 'eth0');
    await waitFor('c1 re-attached', () => pings(c1, '192.168.0.1'), 5000);
    const link = JSON.parse(ipIn(c1, '-j', 'addr', 'show', 'eth0'))[0];
    expect(link.address).toBe(endpoint!.macAddress);
    expect(link.addr_info.map((a: { local: string }) => a.local)).toContain('192.168.0.3');
    expect(ipIn(c1, '-j', 'route', 'show', 'default')).toContain('192.168.0.1');
    await waitFor('a DRIFT event for c1', () => driftFor('c1').length > 0);
    expect(driftFor('c1')[0].message).toContain('was missing: re-attached');
  });

  it('reports the parent going down as a status change, without repairing a link that is not its own', async () => {
    ipIn(lab.hosts[0], 'link', 'set', 'eth0', 'down');
    try {
      await waitFor('a MODIFIED event: degraded', () =>
        events.some(
          (e) =>
            e.type === EventType.EVENT_TYPE_MODIFIED &&
            e.object?.$case === 'network' &&
            e.object.value.status?.state === NetworkState.NETWORK_STATE_DEGRADED,
        ),
      );
      expect(ipIn(lab.hosts[0], '-j', 'link', 'show', 'eth0')).not.toContain('"UP"');
    } finally {
      ipIn(lab.hosts[0], 'link', 'set', 'eth0', 'up');
    }
    await waitFor(
      'ready again',
      async () =>
        (await client.getNetwork({ name: 'mvnet' })).network?.status?.state ===
        NetworkState.NETWORK_STATE_READY,
    );
  });

  it('leaves a foreign link beside its own alone', async () => {
    const c2 = await lab.container('c2');
    ipIn(lab.hosts[0], 'link', 'add', 'link', 'eth0', 'name', 'theirs', 'netns', c2, 'type', 'macvlan');
    await client.createEndpoint({ endpoint: { network: 'mvnet', netns: c2, name: 'c2' } });
    await new Promise((r) => setTimeout(r, 300));
    ipIn(c2, 'link', 'set', 'theirs', 'up');
    ipIn(c2, 'link', 'del', 'theirs');
    await new Promise((r) => setTimeout(r, 500));
    const names = (JSON.parse(ipIn(c2, '-j', 'link', 'show')) as { ifname: string }[]).map((l) => l.ifname);
    expect(names).not.toContain('theirs');
    expect(names).toContain('eth0');
    expect(driftFor('c2')).toEqual([]);
  });

  it('re-attaches every endpoint of a burst of links deleted by hand, each with its DRIFT event', async () => {
    const containers = [await lab.container('c3'), await lab.container('c4'), await lab.container('c5')];
    for (const [i, netns] of containers.entries())
      await client.createEndpoint({ endpoint: { network: 'mvnet', netns, name: `c${i + 3}` } });
    await new Promise((r) => setTimeout(r, 300));
    for (const netns of containers) ipIn(netns, 'link', 'del', 'eth0');
    for (const [i, netns] of containers.entries()) {
      await waitFor(
        `c${i + 3} re-attached`,
        () =>
          JSON.parse(ipIn(netns, '-j', 'link', 'show')).some((l: { ifname: string }) => l.ifname === 'eth0'),
        5000,
      );
      await waitFor(`a DRIFT event for c${i + 3}`, () => driftFor(`c${i + 3}`).length > 0);
    }
  });
});
