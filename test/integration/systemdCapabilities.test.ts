/**
 * The capabilities deploy/systemd/mvnet-agent.service grants, read from the unit, are enough for the
 * agent's work, and CAP_SYS_PTRACE among them is needed: the agent runs under setpriv with only that
 * bounding and ambient set and no_new_privs (as systemd would give it; the rest of the sandbox is not
 * applied, no systemd runs as init here), starts (its kernel probe unshares a netns), makes a network,
 * and attaches a `pid:N` endpoint to a process that holds every capability, as a container's root does.
 * Without CAP_SYS_PTRACE the kernel's ptrace access check refuses it the process's /proc/N/ns/net.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Status } from 'nice-grpc';
import { AgentClient, MvnetError } from '../../client/src';
import { AgentProcess } from '../../tools/AgentProcess';
import { makeNetnsHost, type NetnsHost } from '../support/netnsHost';
import { readUnitFile, unitWords } from '../support/systemdUnitFile';
import { waitFor } from '../support/waitFor';

const unit = readUnitFile(path.join(__dirname, '../../deploy/systemd/mvnet-agent.service'));
const unitCapabilities = unitWords(unit, 'Service', 'CapabilityBoundingSet');

const hosts: NetnsHost[] = [];
let dir: string;
let container: ChildProcess;
const agents: AgentProcess[] = [];
const clients: AgentClient[] = [];

/** `setpriv` arguments for a root process with only these capabilities (CAP_NET_ADMIN...), and no_new_privs. */
function onlyCapabilities(capabilities: string[]): string[] {
  const set = `-all,${capabilities.map((c) => `+${c.replace(/^CAP_/, '').toLowerCase()}`).join(',')}`;
  return ['setpriv', `--bounding-set=${set}`, `--inh-caps=${set}`, `--ambient-caps=${set}`, '--no-new-privs'];
}

/** An agent with these capabilities alone, on a host (netns) of its own with a network n1 on its eth0. */
async function agentWith(capabilities: string[], name: string): Promise<AgentClient> {
  const host = await makeNetnsHost(name);
  hosts.push(host);
  const agent = await AgentProcess.start({
    prefix: onlyCapabilities(capabilities),
    args: ['--listen', '127.0.0.1:0', '--state-dir', path.join(dir, name), '--netns', host.ns],
  });
  agents.push(agent);
  const status = fs.readFileSync(`/proc/${agent.pid}/status`, 'utf8');
  expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
  const client = new AgentClient({ host: agent.address, timeoutMs: 20_000 });
  clients.push(client);
  await client.createNetwork({
    name: 'n1',
    parent: 'eth0',
    subnets: [{ cidr: '10.77.0.0/24', gateway: '10.77.0.1', ipRange: '', auxAddresses: {} }],
  });
  return client;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-syscap-'));
  // A container's process: root, every capability, in a network namespace of its own.
  container = spawn('unshare', ['--net', 'sleep', '300'], { stdio: 'ignore' });
  const ours = fs.readlinkSync('/proc/self/ns/net');
  await waitFor('the process to unshare its netns', () => {
    try {
      return fs.readlinkSync(`/proc/${container.pid}/ns/net`) !== ours;
    } catch {
      return false;
    }
  });
}, 60_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all(agents.map((agent) => agent.stop()));
  container?.kill('SIGKILL');
  for (const host of hosts) await host.cleanup();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the unit's capability set", () => {
  it('is CAP_NET_ADMIN, CAP_NET_RAW, CAP_SYS_ADMIN and CAP_SYS_PTRACE', () => {
    expect([...unitCapabilities].sort()).toEqual([
      'CAP_NET_ADMIN',
      'CAP_NET_RAW',
      'CAP_SYS_ADMIN',
      'CAP_SYS_PTRACE',
    ]);
  });

  it('lets the agent attach a pid: endpoint of a process holding every capability', async () => {
    const client = await agentWith(unitCapabilities, 'capall');
    const { endpoint } = await client.createEndpoint({
      network: 'n1',
      name: 'c1',
      netns: `pid:${container.pid}`,
      ipv4Address: '10.77.0.5',
    });
    expect(endpoint.ipv4Address).toBe('10.77.0.5');
    await client.deleteEndpoint('n1', 'c1');
  });

  it('without CAP_SYS_PTRACE, the kernel refuses the agent the namespace of that process', async () => {
    const client = await agentWith(
      unitCapabilities.filter((c) => c !== 'CAP_SYS_PTRACE'),
      'capnopt',
    );
    const refused = await client
      .createEndpoint({ network: 'n1', name: 'c2', netns: `pid:${container.pid}` })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(refused).toBeInstanceOf(MvnetError);
    expect(refused).toMatchObject({ code: Status.FAILED_PRECONDITION });
    expect((refused as MvnetError).details).toMatch(/permission denied/);
  });
});
