import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startAgent, type RunningAgent } from '../../agent/src/startAgent';
import { MemoryDriver } from '../../agent/src/kernel/memory/MemoryDriver';
import { runCli } from '../../client/src/cli/runCli';

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

let agent: RunningAgent;
let driver: MemoryDriver;
let stateDir: string;

/** Runs `mvnet --host <the test agent> <line>` in-process and captures what it prints. */
async function mvnet(line: string): Promise<CliRun> {
  return mvnetWith({}, `--host ${agent.address} ${line}`);
}

/** Runs `mvnet <line>` (words split on spaces) with this environment. */
async function mvnetWith(env: Record<string, string>, line: string): Promise<CliRun> {
  const run = { stdout: '', stderr: '' };
  const code = await runCli(line.trim().split(/\s+/), {
    stdout: (s) => (run.stdout += s),
    stderr: (s) => (run.stderr += s),
    env,
  });
  return { code, ...run };
}

const CREATE_MACVLAN10 =
  'network create -d macvlan --subnet 192.168.10.0/24 --gateway 192.168.10.1 -o parent=eth0.10 macvlan10';

beforeAll(async () => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-cli-'));
  agent = await startAgent({
    listen: '127.0.0.1:0',
    stateDir,
    logger: pino({ level: 'silent' }),
    driver: (driver = new MemoryDriver({ links: [{ name: 'eth0', kind: '', mtu: 1500 }] })),
  });
});

afterAll(async () => {
  await agent?.close();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

describe('mvnet CLI against a running agent', () => {
  it("creates the seed demo's network with Docker's flags and prints its name", async () => {
    expect(await mvnet(CREATE_MACVLAN10)).toEqual({ code: 0, stdout: 'macvlan10\n', stderr: '' });
  });

  it('creates the same network again as a safe retry', async () => {
    expect(await mvnet(CREATE_MACVLAN10)).toEqual({ code: 0, stdout: 'macvlan10\n', stderr: '' });
  });

  it('prints the created network with enum names in json mode', async () => {
    const run = await mvnet(
      '--output json network create --subnet 192.168.20.0/24 --gateway 192.168.20.1 ' +
        '--ipv6 --subnet 2001:db8:20::/64 --gateway 2001:db8:20::1 ' +
        '-o parent=eth0 -o vlan_id=20 -o macvlan_mode=private --label team=net macvlan20',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\{\n {2}"name": "macvlan20",/);
    expect(JSON.parse(run.stdout)).toMatchObject({
      name: 'macvlan20',
      parent: 'eth0.20',
      vlanId: 20,
      mode: 'MACVLAN_MODE_PRIVATE',
      subnets: [
        { cidr: '192.168.20.0/24', gateway: '192.168.20.1' },
        { cidr: '2001:db8:20::/64', gateway: '2001:db8:20::1' },
      ],
      labels: { team: 'net' },
      status: { state: 'NETWORK_STATE_READY', parentLink: 'eth0.20', parentLinkOwned: true },
    });
  });

  it('lists the networks as a table', async () => {
    const run = await mvnet('network ls');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toEqual([
      'NAME        DRIVER    PARENT    MODE      SUBNETS                            STATE',
      'macvlan10   macvlan   eth0.10   bridge    192.168.10.0/24                    ready',
      'macvlan20   macvlan   eth0.20   private   192.168.20.0/24,2001:db8:20::/64   ready',
      '',
    ]);
  });

  it('lists names only with -q, and an array in json mode', async () => {
    expect((await mvnet('network list -q')).stdout).toBe('macvlan10\nmacvlan20\n');
    const json = await mvnet('network ls --output json');
    expect(json.code).toBe(0);
    const networks = JSON.parse(json.stdout) as { name: string; mode: string }[];
    expect(networks.map((n) => [n.name, n.mode])).toEqual([
      ['macvlan10', 'MACVLAN_MODE_BRIDGE'],
      ['macvlan20', 'MACVLAN_MODE_PRIVATE'],
    ]);
  });

  it('inspects a network in the shape of docker network inspect', async () => {
    const run = await mvnet('network inspect macvlan10');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toEqual([
      {
        Name: 'macvlan10',
        Id: 'macvlan10',
        Scope: 'local',
        Driver: 'macvlan',
        EnableIPv6: false,
        IPAM: {
          Driver: 'default',
          Options: {},
          Config: [{ Subnet: '192.168.10.0/24', Gateway: '192.168.10.1' }],
        },
        Internal: false,
        Attachable: false,
        Ingress: false,
        ConfigFrom: { Network: '' },
        ConfigOnly: false,
        Containers: {},
        Options: { parent: 'eth0.10', macvlan_mode: 'bridge' },
        Labels: {},
        Mvnet: {
          vlan_id: 10,
          status: {
            state: 'ready',
            message: '',
            parent_link: 'eth0.10',
            parent_link_owned: true,
            revision: expect.any(Number),
            endpoint_count: 0,
          },
        },
      },
    ]);
  });

  it('prints the networks found and fails for a missing one, as Docker does', async () => {
    const run = await mvnet('network inspect macvlan20 nosuch');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('Error: No such network: nosuch\n');
    const found = JSON.parse(run.stdout) as { Name: string; EnableIPv6: boolean; Labels: object }[];
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ Name: 'macvlan20', EnableIPv6: true, Labels: { team: 'net' } });
  });

  it("reports the agent's validation error with its code, exit status 1", async () => {
    const run = await mvnet('network create --subnet 192.168.0.0/24 --gateway 10.0.0.1 -o parent=eth0 bad');
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'Error: network.subnets[0].gateway: 10.0.0.1 is not inside the subnet 192.168.0.0/24 (INVALID_ARGUMENT)\n',
    });
  });

  it('reports a different spec under an existing name as ALREADY_EXISTS', async () => {
    const run = await mvnet(
      'network create --subnet 192.168.30.0/24 --gateway 192.168.30.1 -o parent=eth0 macvlan10',
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^Error: network macvlan10 already exists with another .* \(ALREADY_EXISTS\)\n$/,
    );
  });

  it('refuses bad flags before calling the agent, exit status 2', async () => {
    expect(await mvnet('network create -d ipvlan --subnet 10.0.0.0/24 x')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^Error: driver "ipvlan" is not supported/),
    });
    expect(await mvnet('network create --subnet 2001:db8::/64 x')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('add --ipv6'),
    });
    const unknown = await mvnet('network create --attachable x');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: unknown option '--attachable'/);
    expect((await mvnet('--output yaml network ls')).code).toBe(2);
  });

  it('shows the host: facts, capabilities and interfaces', async () => {
    const run = await mvnet('host info');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Hostname: +\S+\n/m);
    expect(run.stdout).toMatch(/^ {2}802\.1q VLAN: +yes$/m);
    expect(run.stdout).toMatch(/^NAME +KIND +MTU +STATE +MAC +VLAN +PARENT +OWNER$/m);
    expect(run.stdout).toMatch(/^eth0 +- +1500 +UP +\S+ +- +- +foreign$/m);
    expect(run.stdout).toMatch(/^eth0\.10 +vlan +1500 +UP +\S+ +10 +eth0 +mvnet$/m);
    const json = JSON.parse((await mvnet('host info --output json')).stdout) as {
      interfaces: { name: string; owner: string }[];
      capabilities: { macvlan: boolean };
    };
    expect(json.capabilities.macvlan).toBe(true);
    expect(json.interfaces.find((i) => i.name === 'eth0.10')?.owner).toBe('LINK_OWNER_MVNET');
  });

  it('removes networks, reporting each missing one and failing', async () => {
    expect(await mvnet('network rm macvlan10 nosuch')).toEqual({
      code: 1,
      stdout: 'macvlan10\n',
      stderr: 'Error: No such network: nosuch\n',
    });
    expect(await mvnet('network remove -f macvlan20 nosuch')).toEqual({
      code: 0,
      stdout: 'macvlan20\n',
      stderr: '',
    });
    expect((await mvnet('network ls -q')).stdout).toBe('');
  });

  it('takes the agent from MVNET_HOST', async () => {
    expect(await mvnetWith({ MVNET_HOST: agent.address }, 'network ls -q')).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
  });

  it('hints at the address when no agent listens there', async () => {
    const run = await mvnetWith({}, '--host 127.0.0.1:1 network ls');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /\(UNAVAILABLE\): is mvnet-agent running and listening on 127\.0\.0\.1:1\?\n$/,
    );
  });
});

/** An endpoint as `--output json` prints it. */
interface EndpointJson {
  name: string;
  network: string;
  netns: string;
  ifname: string;
  ipv4Address?: string;
  macAddress: string;
  status: { state: string };
}

describe('mvnet CLI: containers on a network, as docker network connect/disconnect', () => {
  const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

  beforeAll(async () => {
    for (const name of ['c1', 'c2', 'c3']) driver.addNetnsBehindBack({ name });
    const create = 'network create --subnet 192.168.0.0/24 --gateway 192.168.0.1 -o parent=eth0 mvnet';
    expect(await mvnet(create)).toMatchObject({ code: 0 });
  });

  it("connects the seed's c1 with --ip, printing nothing as Docker does", async () => {
    expect(await mvnet('network connect --ip 192.168.0.3 --name c1 mvnet c1')).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
  });

  it('names the endpoint after its netns and allocates the first free address; json prints it', async () => {
    const run = await mvnet('--output json network connect mvnet c2');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toEqual({
      name: 'c2',
      network: 'mvnet',
      netns: 'c2',
      ifname: 'eth0',
      ipv4Address: '192.168.0.2',
      macAddress: expect.stringMatching(MAC),
      status: { state: 'ENDPOINT_STATE_READY', revision: expect.any(Number) },
    });
  });

  it('connects the same container again as a safe retry, keeping its address and MAC', async () => {
    const first = JSON.parse((await mvnet('--output json network connect mvnet c2')).stdout) as EndpointJson;
    const again = await mvnet('--output json network connect mvnet c2');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual(first);
    expect(first.ipv4Address).toBe('192.168.0.2');
  });

  it('refuses to connect it again with another address (ALREADY_EXISTS)', async () => {
    const run = await mvnet('network connect --ip 192.168.0.9 mvnet c2');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Error: endpoint c2 already exists on network mvnet .*\(ALREADY_EXISTS\)\n$/);
  });

  it("reports the agent's refusals: a taken address, a missing netns", async () => {
    const taken = await mvnet('network connect --ip 192.168.0.3 mvnet c3');
    expect(taken).toMatchObject({ code: 1, stdout: '' });
    expect(taken.stderr).toMatch(/192\.168\.0\.3 is taken by .*\(FAILED_PRECONDITION\)\n$/);
    const ghost = await mvnet('network connect mvnet ghost');
    expect(ghost.code).toBe(1);
    expect(ghost.stderr).toMatch(/network namespace ghost does not exist.*\(FAILED_PRECONDITION\)\n$/);
  });

  it('refuses an address with a prefix or of the wrong family before calling the agent', async () => {
    expect(await mvnet('network connect --ip 192.168.0.5/24 mvnet c3')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^Error: --ip 192\.168\.0\.5\/24: give the address without prefix/),
    });
    expect(await mvnet('network connect --ip6 192.168.0.5 mvnet c3')).toMatchObject({ code: 2 });
  });

  it('lists the endpoints as a table, and as an array in json mode', async () => {
    const run = await mvnet('endpoint ls');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('NETWORK   NAME   NETNS   IFNAME   IPV4          IPV6   MAC                 STATE');
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^mvnet {5}c1 {5}c1 {6}eth0 {5}192\.168\.0\.3 {3}- {6}[0-9a-f:]{17} {3}ready$/),
      expect.stringMatching(/^mvnet {5}c2 {5}c2 {6}eth0 {5}192\.168\.0\.2 {3}- {6}[0-9a-f:]{17} {3}ready$/),
      '',
    ]);
    const json = JSON.parse((await mvnet('endpoint list mvnet --output json')).stdout) as EndpointJson[];
    expect(json.map((e) => [e.name, e.ipv4Address, e.status.state])).toEqual([
      ['c1', '192.168.0.3', 'ENDPOINT_STATE_READY'],
      ['c2', '192.168.0.2', 'ENDPOINT_STATE_READY'],
    ]);
    expect(await mvnet('endpoint ls nosuch')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: No such network: nosuch\n',
    });
  });

  it("fills the network's Containers in inspect, keyed by endpoint name, as Docker does", async () => {
    const run = await mvnet('network inspect mvnet');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const [view] = JSON.parse(run.stdout) as { Containers: object; Mvnet: { status: object } }[];
    expect(view.Containers).toEqual({
      c1: {
        Name: 'c1',
        EndpointID: 'mvnet/c1',
        MacAddress: expect.stringMatching(MAC),
        IPv4Address: '192.168.0.3/24',
        IPv6Address: '',
        Netns: 'c1',
        Ifname: 'eth0',
        State: 'ready',
      },
      c2: expect.objectContaining({ Name: 'c2', IPv4Address: '192.168.0.2/24', Netns: 'c2' }),
    });
    expect(view.Mvnet.status).toMatchObject({ endpoint_count: 2 });
  });

  it('disconnects a container by endpoint name, printing nothing', async () => {
    expect(await mvnet('network disconnect mvnet c1')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await mvnet('endpoint ls mvnet')).stdout).not.toMatch(/^mvnet +c1 /m);
    expect((await driver.inspectEndpoint({ name: 'c1' }, 'eth0')).link).toBeUndefined();
  });

  it('disconnects a container by its netns, however the netns is written', async () => {
    expect(await mvnet('network connect --name web mvnet c3')).toMatchObject({ code: 0 });
    const run = await mvnet('--output json network disconnect mvnet /var/run/netns/c3');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toEqual([{ network: 'mvnet', name: 'web', revision: expect.any(Number) }]);
    expect((await mvnet('endpoint ls mvnet')).stdout).not.toMatch(/^mvnet +web /m);
  });

  it('keeps the MAC of an endpoint across a disconnect and a new connect', async () => {
    const before = JSON.parse((await mvnet('--output json network connect mvnet c2')).stdout) as EndpointJson;
    expect(await mvnet('network disconnect mvnet c2')).toMatchObject({ code: 0 });
    const after = JSON.parse((await mvnet('--output json network connect mvnet c2')).stdout) as EndpointJson;
    expect(after.macAddress).toBe(before.macAddress);
  });

  it('fails, as Docker does, for a container that is not connected or a network that does not exist', async () => {
    expect(await mvnet('network disconnect mvnet c1')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: endpoint c1 is not connected to network mvnet\n',
    });
    expect(await mvnet('network disconnect nosuch c1')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: No such network: nosuch\n',
    });
  });
});
