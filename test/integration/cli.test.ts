import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startAgent, type RunningAgent } from '../../agent/src/Agent';
import { MemoryDriver } from '../../agent/src/kernel/MemoryDriver';
import { runCli } from '../../client/src/cli/runCli';

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

let agent: RunningAgent;
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
    driver: new MemoryDriver({ links: [{ name: 'eth0', kind: '', mtu: 1500 }] }),
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
