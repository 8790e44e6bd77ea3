/**
 * The host the hostile-input suite runs against: a real agent on a throwaway host namespace (eth0 on
 * a switch, with an address of the host's own and a route of its own), two containers, a network and
 * an endpoint already there; and a snapshot of everything a refused request must leave as it was: the
 * kernel (links, addresses and routes in the host and in each container) and the agent's state (its
 * networks, endpoints and revision).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createChannel, createClient, type Client } from 'nice-grpc';
import { AgentClient, AgentServiceDefinition, type NetworkSpec } from '../../../client/src';
import { addNetns, deleteNetns } from '../../../tools/netns';
import { spawnAgent, type AgentProcess } from '../../support/agentProcess';
import { makeNetnsHost, type NetnsHost } from '../../support/netnsHost';
import { uniqueNetnsName } from '../../support/netnsPrefix';
import { waitFor } from '../../support/waitFor';

/** The network every suite case finds on the host. */
export const BASE: NetworkSpec = {
  name: 'base',
  parent: 'eth0',
  subnets: [
    { cidr: '10.20.0.0/24', gateway: '10.20.0.1', ipRange: '', auxAddresses: { nas: '10.20.0.5' } },
    { cidr: 'fd20::/64', gateway: 'fd20::1', ipRange: '', auxAddresses: {} },
  ],
  labels: { tier: 'base' },
};

/** The host's own address on eth0, and a route of its own more specific than BASE's subnet. */
export const HOST_ADDRESS = '10.20.0.2';
export const HOST_ROUTE = '10.20.0.128/25';

export interface HostileHost {
  agent: AgentProcess;
  client: AgentClient;
  /** The generated client, for what the SDK does not offer (yet). */
  raw: Client<typeof AgentServiceDefinition>;
  host: NetnsHost;
  /** Two containers: `c1` holds BASE's endpoint `e1`; `c2` is empty. */
  c1: string;
  c2: string;
  /** Everything a refused request must leave as it was, as one comparable value. */
  snapshot(): Promise<unknown>;
  close(): Promise<void>;
}

/** Links, addresses and routes (both families, every table) of one namespace: two `ip` processes. */
function kernelOf(ns: string): string {
  const v4 = execFileSync('ip', ['-n', ns, '-j', '-d', '-batch', '-'], {
    input: 'link show\naddr show\nroute show table all\n',
    encoding: 'utf8',
  });
  return (
    v4 + execFileSync('ip', ['-n', ns, '-j', '-6', 'route', 'show', 'table', 'all'], { encoding: 'utf8' })
  );
}

export async function makeHostileHost(): Promise<HostileHost> {
  const host = await makeNetnsHost('hostile');
  host.ip('addr', 'add', `${HOST_ADDRESS}/24`, 'dev', 'eth0');
  host.ip('route', 'add', HOST_ROUTE, 'dev', 'eth0');
  // eth1 carries an address of the host's, eth2 a default route of its: links a passthru network may not take.
  for (const link of ['eth1', 'eth2']) {
    host.ip('link', 'add', link, 'type', 'veth', 'peer', 'name', `${link}peer`);
    host.ip('link', 'set', link, 'up');
  }
  host.ip('addr', 'add', '10.99.0.2/24', 'dev', 'eth1');
  host.ip('route', 'add', 'default', 'dev', 'eth2');
  const c1 = uniqueNetnsName('hc1');
  const c2 = uniqueNetnsName('hc2');
  await addNetns(c1);
  await addNetns(c2);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-hostile-'));
  const agent = await spawnAgent({ stateDir: dir, netns: host.ns });
  const client = new AgentClient({ host: agent.address });
  await client.createNetwork(BASE);
  await client.createEndpoint({ network: 'base', name: 'e1', netns: c1, ipv4Address: '10.20.0.10' });
  // The kernel's own settling first: IPv6 duplicate address detection of the links' link-local
  // addresses ends a second or two after they come up, and adds their routes.
  await waitFor(
    'IPv6 DAD to settle',
    () => ![host.ns, c1, c2].map(kernelOf).join('').includes('"tentative"'),
  );
  return {
    agent,
    client,
    raw: createClient(AgentServiceDefinition, createChannel(agent.address)),
    host,
    c1,
    c2,
    snapshot: async () => ({
      kernel: [host.ns, c1, c2].map(kernelOf),
      networks: await client.listNetworks(),
      endpoints: await client.listEndpoints(),
    }),
    close: async () => {
      client.close();
      await agent.stop();
      await deleteNetns(c1);
      await deleteNetns(c2);
      await host.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
