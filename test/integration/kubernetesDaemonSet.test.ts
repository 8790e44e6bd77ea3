/**
 * The DaemonSet's own command line starts a real agent: the args of deploy/kubernetes/daemonset.yaml,
 * $(NODE_NAME) set as the kubelet sets it, each path under one of the pod's volume mounts moved to a
 * folder of the test's (the certificates named as the Secret holds them, authorization.yaml from the
 * ConfigMap's own data). The agent runs in a netns of its own, standing for the node's network
 * (hostNetwork): its 0.0.0.0 listeners are that namespace's, never the machine's. Clients in the same
 * namespace then reach each port as the cluster would: the API with a client certificate (and not
 * without one), gRPC health in plaintext as the probes do, and the metrics over HTTP.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, parseAllDocuments } from 'yaml';
import { addNetns, deleteNetns } from '../../tools/netns';
import { AgentProcess } from '../../tools/AgentProcess';
import { uniqueNetnsName } from '../support/netnsPrefix';
import { TestCa } from '../support/testPki';

const ROOT = path.join(__dirname, '../..');
const CLI_MAIN = path.join(ROOT, 'dist/client/src/cli/main.js');
const NODE_NAME = 'node-a';

interface AgentContainer {
  name: string;
  args: string[];
  volumeMounts: { name: string; mountPath: string }[];
}

const readYaml = (file: string) =>
  parseAllDocuments(fs.readFileSync(path.join(ROOT, 'deploy/kubernetes', file), 'utf8')).map((d) =>
    d.toJS(),
  ) as Record<string, unknown>[];

/** Runs a command in the node's netns; resolves with its exit code and output, never rejects. */
async function inNode(ns: string, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('ip', ['netns', 'exec', ns, ...argv], {
      cwd: ROOT,
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** grpc.health.v1.Health/Check with the empty service name, as the kubelet's gRPC probe sends it. */
const HEALTH_CHECK = `
const grpc = require('@grpc/grpc-js');
const client = new grpc.Client(process.argv[1], grpc.credentials.createInsecure());
client.makeUnaryRequest('/grpc.health.v1.Health/Check', (b) => b, (b) => b, Buffer.alloc(0), (err, reply) => {
  console.log(err ? 'error ' + err.code : reply.toString('hex'));
  client.close();
});`;

/** An HTTP GET as Prometheus scrapes: the body on stdout, exit status 1 unless 200. */
const SCRAPE = `
require('node:http').get(process.argv[1], (res) => {
  res.pipe(process.stdout);
  res.on('end', () => (process.exitCode = res.statusCode === 200 ? 0 : 1));
});`;

describe("the DaemonSet's command line", () => {
  let dir: string;
  let ns: string;
  let agent: AgentProcess | undefined;
  let client: { ca: string; cert: string; key: string };

  beforeAll(async () => {
    const [daemonSet] = readYaml('daemonset.yaml') as {
      spec: { template: { spec: { containers: AgentContainer[] } } };
    }[];
    const container = daemonSet.spec.template.spec.containers.find((c) => c.name === 'agent')!;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-daemonset-'));
    // Each mount of the pod is a folder of the test's.
    const mounts = new Map(container.volumeMounts.map((m) => [m.mountPath, path.join(dir, m.name)]));
    for (const folder of mounts.values()) fs.mkdirSync(folder);
    const args = container.args.map((arg) => {
      const value = arg.replaceAll('$(NODE_NAME)', NODE_NAME);
      const file = /^--[a-z-]+=(\/.*)$/.exec(value)?.[1];
      if (file === undefined) return value;
      const mount = [...mounts.keys()].find((m) => file.startsWith(`${m}/`) || file === m);
      if (!mount) throw new Error(`${arg}: names ${file}, which no volume of the pod holds`);
      return value.replace(mount, mounts.get(mount)!);
    });

    // The Secret mvnet-agent-tls as deploy/README.md says to make it, and the ConfigMap as shipped.
    const tls = mounts.get('/etc/mvnet/tls')!;
    const ca = new TestCa(tls, 'mvnet');
    ca.server(NODE_NAME);
    fs.copyFileSync(ca.cert, path.join(tls, 'ca.pem'));
    // The orchestrator's pair is made beside them (TestCa signs into its folder); the agent ignores it.
    client = { ca: ca.cert, ...ca.client('orchestrator', '/CN=orchestrator') };
    const [configMap] = readYaml('authorization.yaml') as { data: Record<string, string> }[];
    const authorization = mounts.get('/etc/mvnet/authorization')!;
    fs.writeFileSync(path.join(authorization, 'authorization.yaml'), configMap.data['authorization.yaml']);
    expect(parse(configMap.data['authorization.yaml'])).toEqual({
      viewer: ['monitor'],
      operator: ['orchestrator'],
    });

    ns = uniqueNetnsName('kds');
    await addNetns(ns);
    await inNode(ns, ['ip', 'link', 'set', 'lo', 'up']);
    agent = AgentProcess.spawn({ args, prefix: ['ip', 'netns', 'exec', ns] });
    await agent.untilReady();
  });

  afterAll(async () => {
    await agent?.stop();
    if (ns) await deleteNetns(ns);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves the API, health and metrics on the ports the DaemonSet names', () => {
    expect([agent!.address, agent!.healthAddress, agent!.metricsAddress]).toEqual([
      '0.0.0.0:7443',
      '0.0.0.0:7444',
      '0.0.0.0:9464',
    ]);
  });

  it("answers an operator's client certificate over mutual TLS, and refuses a caller without one", async () => {
    const tlsFlags = ['--tlsverify', '--tlscacert', client.ca];
    const withCert = await inNode(ns, [
      process.execPath,
      CLI_MAIN,
      '--host',
      '127.0.0.1:7443',
      ...tlsFlags,
      '--tlscert',
      client.cert,
      '--tlskey',
      client.key,
      'network',
      'ls',
    ]);
    expect({ code: withCert.code, stderr: withCert.stderr }).toEqual({ code: 0, stderr: '' });
    expect(withCert.stdout).toMatch(/^NETWORK ID|^NAME/);
    const without = await inNode(ns, [
      process.execPath,
      CLI_MAIN,
      '--host',
      '127.0.0.1:7443',
      ...tlsFlags,
      'network',
      'ls',
    ]);
    expect(without.code).toBe(1);
    expect(without.stderr).toContain('certificate required');
  });

  it('answers the probes: SERVING over plaintext gRPC health', async () => {
    const probe = await inNode(ns, [process.execPath, '-e', HEALTH_CHECK, '127.0.0.1:7444']);
    // HealthCheckResponse { status: SERVING (1) }: field 1, varint 1.
    expect(probe.stdout.trim()).toBe('0801');
  });

  it('serves Prometheus text on the metrics port', async () => {
    const scrape = await inNode(ns, [process.execPath, '-e', SCRAPE, 'http://127.0.0.1:9464/metrics']);
    expect(scrape.code).toBe(0);
    expect(scrape.stdout).toMatch(/^mvnet_revision \d+$/m);
  });
});
