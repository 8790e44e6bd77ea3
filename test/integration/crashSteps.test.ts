/**
 * The agent killed (SIGKILL, through its fault injection, MVNET_FAULT_KILL_AT) at every step of creating
 * a network with a host-access shim and of attaching an endpoint, on this machine's kernel: after a
 * restart on the same state dir, kernel and state agree, nothing the dead agent made is left (host links,
 * links in the container, under their temporary or final names), no address is lost or given twice, and
 * the same request then succeeds. (The sub-interface steps are the lab's: this kernel has no 802.1q.)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Status } from 'nice-grpc';
import { AgentClient, MvnetError, type NetworkSpec } from '../../client/src';
import { addNetns, deleteNetns } from '../../tools/netns';
import { spawnAgent, type AgentProcess } from '../support/agentProcess';
import { makeNetnsHost, type NetnsHost } from '../support/netnsHost';
import { uniqueNetnsName } from '../support/netnsPrefix';

const NETWORK: NetworkSpec = {
  name: 'crashnet',
  parent: 'eth0',
  hostAccess: true,
  subnets: [{ cidr: '10.77.0.0/24', gateway: '10.77.0.1', ipRange: '', auxAddresses: {} }],
};

/** Link names of a netns, sorted. */
function linkNames(ns: string): string[] {
  const links = JSON.parse(execFileSync('ip', ['-n', ns, '-j', 'link', 'show'], { encoding: 'utf8' }));
  return (links as { ifname: string }[]).map((l) => l.ifname).sort();
}

describe('the agent killed at every step of a change, then restarted', () => {
  let host: NetnsHost;
  let dir: string;
  let agent: AgentProcess | undefined;
  let client: AgentClient | undefined;
  let run = 0;

  beforeAll(async () => {
    host = await makeNetnsHost('crash');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-crash-'));
  });
  afterEach(async () => {
    client?.close();
    await agent?.kill();
    agent = client = undefined;
  });
  afterAll(async () => {
    await host.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function start(stateDir: string, fault?: string) {
    client?.close();
    agent = await spawnAgent({
      stateDir,
      netns: host.ns,
      env: fault ? { MVNET_FAULT_KILL_AT: fault } : {},
    });
    client = new AgentClient({ host: agent.address, timeoutMs: 10_000 });
    return client;
  }

  /** Runs `call` against an agent set to die at `fault`; expects the call to fail as the agent dies by SIGKILL. */
  async function dies(call: Promise<unknown>) {
    const err = await call.then(
      () => new Error('the call succeeded: the fault did not fire'),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MvnetError);
    expect((err as MvnetError).code).toBe(Status.UNAVAILABLE);
    expect(await agent!.ended).toEqual({ code: null, signal: 'SIGKILL' });
  }

  describe.each([
    ['link-added#1', 'the shim macvlan added, not yet marked'],
    ['link-op-done#1', 'the shim made and marked'],
    ['link-op-done#2', 'the shim addressed'],
    ['link-op-done#3', 'the shim up'],
    ['network-before-commit', 'everything made, nothing committed'],
  ])('creating a network with host access, killed at %s (%s)', (fault) => {
    it('leaves no host link behind after the restart, and the same create then succeeds', async () => {
      const stateDir = path.join(dir, `net-${run++}`);
      const before = linkNames(host.ns);
      const dying = await start(stateDir, fault);
      await dies(dying.createNetwork(NETWORK));
      expect(linkNames(host.ns)).not.toEqual(before); // the dead agent did leave something
      const restarted = await start(stateDir);
      expect(linkNames(host.ns)).toEqual(before);
      expect((await restarted.listNetworks()).networks).toEqual([]);
      const { network } = await restarted.createNetwork(NETWORK);
      expect(network.status?.hostLink).toMatch(/^mvh-/);
      expect(linkNames(host.ns)).toEqual([...before, network.status!.hostLink].sort());
      await restarted.deleteNetwork(NETWORK.name);
      expect(linkNames(host.ns)).toEqual(before);
    });
  });

  describe.each([
    ['endpoint-created', 'the macvlan in the container under its temporary name', false],
    ['endpoint-renamed', 'renamed to eth0 and marked, not addressed', false],
    ['endpoint-before-commit', 'complete in the kernel, not committed', false],
    ['endpoint-committed', 'committed, the reply not sent', true],
  ])('attaching an endpoint, killed at %s (%s)', (fault, _what, committed) => {
    it('leaves the container as it was (or the endpoint whole, once committed); the address is neither lost nor doubled', async () => {
      const stateDir = path.join(dir, `ep-${run++}`);
      const container = uniqueNetnsName('crashc');
      await addNetns(container);
      try {
        const setup = await start(stateDir);
        await setup.createNetwork({ ...NETWORK, hostAccess: false, name: 'eps' });
        await agent!.stop();
        const dying = await start(stateDir, fault);
        await dies(dying.createEndpoint({ network: 'eps', netns: container, ipv4Address: '10.77.0.20' }));
        expect(linkNames(container)).toHaveLength(2); // lo, and what the dead agent made
        const restarted = await start(stateDir);
        const { endpoints } = await restarted.listEndpoints('eps');
        if (committed) {
          expect(endpoints.map((e) => [e.name, e.ipv4Address])).toEqual([[container, '10.77.0.20']]);
          expect(linkNames(container)).toEqual(['eth0', 'lo']);
        } else {
          expect(endpoints).toEqual([]);
          expect(linkNames(container)).toEqual(['lo']);
        }
        // The same request (a retry) gives the endpoint, with the address asked for: it was free, or is its own.
        const { endpoint } = await restarted.createEndpoint({
          network: 'eps',
          netns: container,
          ipv4Address: '10.77.0.20',
        });
        expect(endpoint.ipv4Address).toBe('10.77.0.20');
        expect(linkNames(container)).toEqual(['eth0', 'lo']);
        // Another container cannot get that address: it is leased once, to this endpoint.
        const other = uniqueNetnsName('crasho');
        await addNetns(other);
        try {
          await expect(
            restarted.createEndpoint({ network: 'eps', netns: other, ipv4Address: '10.77.0.20' }),
          ).rejects.toMatchObject({ code: Status.FAILED_PRECONDITION });
        } finally {
          await deleteNetns(other);
        }
      } finally {
        await deleteNetns(container);
      }
    });
  });
});
