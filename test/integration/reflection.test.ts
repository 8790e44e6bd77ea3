/**
 * Reflection, proven with a gRPC client that is not Node's: Debian's python3-grpcio runs
 * test/python/reflection_client.py against a real agent process. The client knows no mvnet type in
 * advance: it lists the services under grpc.reflection.v1 and v1alpha, builds a DescriptorPool from
 * the files the agent sends (imports included, map entries correctly named: what grpcurl needs too),
 * resolves every message and method, then creates a network from JSON with message classes built from
 * those descriptors. The agent manages a throwaway netns whose `eth0` is one end of a veth pair. Needs root.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import execa from 'execa';
import { LinuxDriver } from '../../agent/src/kernel/LinuxDriver';
import { addNetns, addVethPair, deleteNetns } from '../../tools/netns';
import { spawnAgent, type AgentProcess } from '../support/agentProcess';
import { uniqueNetnsName } from '../support/netnsPrefix';

/** Debian's python3, which has python3-grpcio and python3-grpc-tools (a python3 earlier on PATH may not). */
const PYTHON = '/usr/bin/python3';
const CLIENT = path.join(__dirname, '../python/reflection_client.py');
const RESPONSE_PREFIX = 'CreateNetworkResponse: ';

interface PythonRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

describe('reflection, through a Python gRPC client', () => {
  const namespaces: string[] = [];
  let stateDir: string;
  let agent: AgentProcess | undefined;

  const runClient = async (network: unknown): Promise<PythonRun> => {
    const r = await execa(PYTHON, [CLIENT, agent!.address, JSON.stringify(network)], {
      reject: false,
      timeout: 60_000,
    });
    return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  };

  /** Every line of a run, for the assertion messages. */
  const transcript = (r: PythonRun) => `exit ${r.exitCode}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

  beforeAll(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-reflection-test-'));
    const host = uniqueNetnsName('reflhost');
    const peer = uniqueNetnsName('reflpeer');
    for (const name of [host, peer]) {
      await addNetns(name);
      namespaces.push(name);
    }
    // The host's `eth0` is a veth end; its peer sits in a second namespace. Both up, so eth0 has a carrier.
    await addVethPair('eth0', host, 'peer0', peer);
    await new LinuxDriver({ netns: peer }).setLinkUp('peer0');
    await new LinuxDriver({ netns: host }).setLinkUp('eth0');
    agent = await spawnAgent({ stateDir, netns: host });
  }, 30_000);

  afterAll(async () => {
    if (agent) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>(
        (resolve) => (timer = setTimeout(() => resolve('timeout'), 10_000)),
      );
      const stopped = await Promise.race([agent.stop(), timeout]);
      clearTimeout(timer);
      if (stopped === 'timeout') await agent.kill();
    }
    await Promise.all(namespaces.splice(0).map((n) => deleteNetns(n)));
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
  }, 30_000);

  it('lists the services, resolves every message under v1 and v1alpha, and creates a network from JSON', async () => {
    const r = await runClient({
      name: 'mvnet',
      parent: 'eth0',
      subnets: [{ cidr: '192.168.0.0/24', gateway: '192.168.0.1', auxAddresses: { router2: '192.168.0.2' } }],
    });
    expect({ exitCode: r.exitCode, transcript: transcript(r) }).toEqual({
      exitCode: 0,
      transcript: expect.any(String),
    });

    const lines = r.stdout.split('\n');
    for (const version of ['v1', 'v1alpha']) {
      const listed = lines.find((l) => l.startsWith(`ok: ${version} list_services: `));
      expect(listed).toBeDefined();
      for (const service of [
        'mvnet.v1.AgentService',
        'grpc.health.v1.Health',
        'grpc.reflection.v1.ServerReflection',
        'grpc.reflection.v1alpha.ServerReflection',
      ]) {
        expect(listed).toContain(service);
      }
      // The pool was built from the files the agent sent, imports (the well-known types) included.
      const built = lines.find((l) => l.startsWith(`ok: ${version} built a DescriptorPool from `));
      expect(built).toContain('google/protobuf/duration.proto');
      expect(built).toContain('mvnet/v1/agent_service.proto');
      expect(lines.some((l) => l.startsWith(`ok: ${version} resolved `))).toBe(true);
      expect(lines).toContain(
        `ok: ${version} mvnet.v1.Subnet.aux_addresses is map<string, string> (entry mvnet.v1.Subnet.AuxAddressesEntry)`,
      );
      expect(lines).toContain(
        `ok: ${version} mvnet.v1.ApplyRequest.confirm_within is google.protobuf.Duration (google/protobuf/duration.proto)`,
      );
    }
    expect(lines).toContain('ok: grpc.health.v1.Health/Check: SERVING');

    const responseLine = lines.find((l) => l.startsWith(RESPONSE_PREFIX));
    expect(responseLine).toBeDefined();
    const response = JSON.parse(responseLine!.slice(RESPONSE_PREFIX.length));
    expect(response).toMatchObject({
      network: {
        name: 'mvnet',
        parent: 'eth0',
        subnets: [
          { cidr: '192.168.0.0/24', gateway: '192.168.0.1', auxAddresses: { router2: '192.168.0.2' } },
        ],
        status: { state: 'NETWORK_STATE_READY', parentLink: 'eth0' },
      },
    });
    // uint64 in proto3 JSON is a string.
    expect(response.revision).toMatch(/^[1-9][0-9]*$/);
  }, 60_000);

  it('gets INVALID_ARGUMENT naming the field for a gateway outside its subnet', async () => {
    const r = await runClient({
      name: 'badgw',
      parent: 'eth0',
      subnets: [{ cidr: '192.168.1.0/24', gateway: '10.0.0.1' }],
    });
    // Exit 3: reflection and health passed, the CreateNetwork call failed with a status.
    expect({ exitCode: r.exitCode, transcript: transcript(r) }).toEqual({
      exitCode: 3,
      transcript: expect.any(String),
    });
    expect(r.stderr).toMatch(
      /^rpc error: \/mvnet\.v1\.AgentService\/CreateNetwork: INVALID_ARGUMENT: network\.subnets\[0\]\.gateway: .*10\.0\.0\.1.*192\.168\.1\.0\/24/m,
    );
    expect(r.stdout).not.toContain(RESPONSE_PREFIX);
  }, 60_000);
});
