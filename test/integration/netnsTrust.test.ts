import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createChannel, createClient, Status } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { AgentClient, EndpointState, MvnetError, type NetworkSpec } from '../../client/src';
import { spawnAgent, type AgentProcess } from '../support/agentProcess';
import { makeNetnsHost, type NetnsHost } from '../support/netnsHost';
import { uniqueNetnsName } from '../support/netnsPrefix';
import { waitFor } from '../support/waitFor';

/**
 * The agent is root, and a container's netns is a client's word (issue 11): it opens only a network
 * namespace, never blocks on what it finds instead, never enters the host's own, and attaches again
 * only into the namespace an endpoint was attached into.
 */
const NET: NetworkSpec = {
  name: 'trust',
  parent: 'eth0',
  subnets: [{ cidr: '10.77.0.0/24', gateway: '10.77.0.1', ipRange: '', auxAddresses: {} }],
};

async function codeOf(promise: Promise<unknown>): Promise<{ code: Status; details: string }> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MvnetError);
  return { code: (err as MvnetError).code, details: (err as MvnetError).details };
}

/** A process alone in a fresh netns; with `pid`, made to get that pid (ns_last_pid), for the reuse case. */
function processInFreshNetns(pid?: number): ChildProcess {
  if (pid !== undefined) fs.writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1));
  return spawn('unshare', ['-n', 'sleep', '300'], { stdio: 'ignore' });
}

async function leftItsNetns(pid: number): Promise<void> {
  const ours = fs.readlinkSync('/proc/self/ns/net');
  await waitFor('the process to unshare its netns', () => fs.readlinkSync(`/proc/${pid}/ns/net`) !== ours);
}

describe('the container netns a client names (issue 11: trust)', () => {
  let host: NetnsHost;
  let dir: string;
  let agent: AgentProcess;
  let client: AgentClient;
  const files: string[] = [];
  const children: ChildProcess[] = [];

  const start = async () => {
    agent = await spawnAgent({ stateDir: dir, netns: host.ns });
    client = new AgentClient({ host: agent.address });
  };

  beforeAll(async () => {
    host = await makeNetnsHost('trust');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-trust-'));
    await start();
    await client.createNetwork(NET);
  });

  afterAll(async () => {
    client?.close();
    await agent?.stop();
    for (const child of children) child.kill('SIGKILL');
    for (const file of files) fs.rmSync(file, { force: true });
    await host?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['a FIFO', (file: string) => execFileSync('mkfifo', [file])],
    ['a device', (file: string) => execFileSync('mknod', [file, 'c', '1', '3'])],
    ['a regular file', (file: string) => fs.writeFileSync(file, 'no namespace\n')],
  ])('answers %s under /var/run/netns with FAILED_PRECONDITION, staying responsive', async (_what, make) => {
    const name = uniqueNetnsName('notns');
    const file = `/var/run/netns/${name}`;
    files.push(file);
    // Removed as soon as the case ends: `ip netns list`, anywhere on the machine, blocks on a FIFO there.
    make(file);
    try {
      await answersAtOnce(name);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  /** Creates into `name` are FAILED_PRECONDITION while health checks keep answering; nothing changes. */
  async function answersAtOnce(name: string): Promise<void> {
    const linksBefore = host.ip('-j', 'link', 'show');
    const listBefore = await client.listEndpoints();
    const health = createClient(HealthDefinition, createChannel(agent.address));
    let slowest = 0;
    let checking = true;
    const checks = (async () => {
      while (checking) {
        const started = Date.now();
        await health.check({ service: '' });
        slowest = Math.max(slowest, Date.now() - started);
      }
    })();
    for (let i = 0; i < 5; i++) {
      const { code, details } = await codeOf(client.createEndpoint({ network: 'trust', netns: name }));
      expect(code).toBe(Status.FAILED_PRECONDITION);
      expect(details).toContain(`netns ${name} is not a network namespace`);
    }
    checking = false;
    await checks;
    // A bound for "never blocked", not a speed check: a blocked agent would not answer at all.
    expect(slowest).toBeLessThan(1000);
    expect(host.ip('-j', 'link', 'show')).toBe(linksBefore);
    expect(await client.listEndpoints()).toEqual(listBefore);
  }

  it.each([
    '/etc/shadow',
    '/tmp/ns',
    '/var/run/netns/../../etc/passwd',
    'a/b',
    '/proc/1/ns/mnt',
    '/dev/zero',
  ])('refuses netns %j as INVALID_ARGUMENT, naming the field, before opening anything', async (netns) => {
    const { code, details } = await codeOf(client.createEndpoint({ network: 'trust', name: 'x', netns }));
    expect(code).toBe(Status.INVALID_ARGUMENT);
    expect(details).toMatch(/^endpoint\.netns: /);
  });

  it("refuses the host's own namespace, by its name or by the agent's own pid", async () => {
    for (const netns of [host.ns, `pid:${agent.pid}`]) {
      const { code, details } = await codeOf(client.createEndpoint({ network: 'trust', name: 'h', netns }));
      expect(code).toBe(Status.FAILED_PRECONDITION);
      expect(details).toContain("is the host's own network namespace");
    }
    expect((await client.listEndpoints()).endpoints).toEqual([]);
  });

  it('finds LOST, after a restart, an endpoint whose pid went to another namespace, which it leaves alone', async () => {
    const first = processInFreshNetns();
    children.push(first);
    const pid = first.pid!;
    await leftItsNetns(pid);
    const { endpoint } = await client.createEndpoint({ network: 'trust', name: 'p', netns: `pid:${pid}` });
    expect(endpoint.status!.state).toBe(EndpointState.ENDPOINT_STATE_READY);
    client.close();
    await agent.stop();
    first.kill('SIGKILL');
    await waitFor('the first process to be gone', () => !fs.existsSync(`/proc/${pid}`));
    let stranger: ChildProcess | undefined;
    for (let attempt = 0; attempt < 20 && stranger?.pid !== pid; attempt++) {
      stranger?.kill('SIGKILL');
      stranger = processInFreshNetns(pid);
      children.push(stranger);
      await new Promise((resolve) => stranger!.once('spawn', resolve));
    }
    expect(stranger!.pid).toBe(pid); // the pid is reused, by another process in another namespace
    await leftItsNetns(pid);
    await start();
    const after = await client.getEndpoint('trust', 'p');
    expect(after.status!.state).toBe(EndpointState.ENDPOINT_STATE_LOST);
    expect(after.status!.message).toContain('is another namespace now');
    const links = execFileSync('nsenter', [`--net=/proc/${pid}/ns/net`, 'ip', '-j', 'link', 'show'], {
      encoding: 'utf8',
    });
    expect((JSON.parse(links) as { ifname: string }[]).map((l) => l.ifname)).toEqual(['lo']);
    await client.deleteEndpoint('trust', 'p');
  });
});
