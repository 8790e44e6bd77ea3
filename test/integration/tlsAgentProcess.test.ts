/**
 * The agent process with its TLS and access flags (spawned from dist/, managing a throwaway netns):
 * TLS on a non-loopback address without --insecure, --health-listen (health alone, in plaintext, the
 * same status as the main server), certificates rotated without a restart, the unix socket's
 * --group, and a unix socket beside a TCP listener. tlsStartRefusals.test.ts has the mistakes that fail the start.
 */
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { Client, credentials as grpcCredentials, status as grpcStatus } from '@grpc/grpc-js';
import { createChannel, createClient, Status, type Channel } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { groupId } from '../../agent/src/api/groupId';
import { AgentClient, MvnetError } from '../../client/src';
import { HealthCheckResponse_ServingStatus } from '../../proto/gen/grpc/health/v1/health';
import { AgentServiceDefinition } from '../../proto/gen/mvnet/v1/agent_service';
import { spawnAgent, type AgentProcess } from '../support/agentProcess';
import { makeNetnsHost, type NetnsHost } from '../support/netnsHost';
import { makeTlsFixture, type TlsFixture } from '../support/tlsFixture';
import { waitFor } from '../support/waitFor';

const { SERVING, NOT_SERVING } = HealthCheckResponse_ServingStatus;

let host: NetnsHost;
let pki: TlsFixture;
const agents: AgentProcess[] = [];
const channels: Channel[] = [];
const clients: AgentClient[] = [];

beforeAll(async () => {
  host = await makeNetnsHost('tlsproc');
  pki = makeTlsFixture();
}, 60_000);

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const channel of channels.splice(0)) channel.close();
  await Promise.all(agents.splice(0).map((agent) => agent.stop()));
});

afterAll(async () => {
  await host?.cleanup();
  pki?.cleanup();
});

async function spawn(name: string, extra: string[], listen = '127.0.0.1:0'): Promise<AgentProcess> {
  const agent = await spawnAgent({
    stateDir: path.join(pki.dir, `state-${name}`),
    netns: host.ns,
    listen,
    extra,
  });
  agents.push(agent);
  return agent;
}

/** The mutual-TLS flags, with these files. */
function mutualFlags(files: { cert: string; key: string; ca: string }): string[] {
  return ['--tlscert', files.cert, '--tlskey', files.key, '--tlsverify', '--tlscacert', files.ca];
}

function sdk(address: string, ca: string, client: { cert: string; key: string }): AgentClient {
  const agentClient = new AgentClient({
    host: address,
    tlsVerify: true,
    tlsCaCert: ca,
    tlsCert: client.cert,
    tlsKey: client.key,
    timeoutMs: 20_000,
  });
  clients.push(agentClient);
  return agentClient;
}

function channel(address: string): Channel {
  const opened = createChannel(address);
  channels.push(opened);
  return opened;
}

describe('--health-listen, and TLS on a non-loopback address', () => {
  it('serves mutual TLS on 0.0.0.0 without --insecure, and health alone in plaintext beside it', async () => {
    const flags = mutualFlags({ cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert });
    const agent = await spawn('health', [...flags, '--health-listen', '127.0.0.1:0'], '0.0.0.0:0');
    expect(agent.logs.some((l) => l.level === 40)).toBe(false);
    const address = agent.address.replace('0.0.0.0', '127.0.0.1');
    expect((await sdk(address, pki.ca.cert, pki.orchestrator).listNetworks()).networks).toEqual([]);

    // No credentials on the health listener: health answers, AgentService and reflection are not there.
    const health = createClient(HealthDefinition, channel(agent.healthAddress!));
    expect((await health.check({ service: '' })).status).toBe(SERVING);
    expect((await health.check({ service: 'mvnet.v1.AgentService' })).status).toBe(SERVING);
    const agentService = createClient(AgentServiceDefinition, channel(agent.healthAddress!));
    await expect(agentService.listNetworks({})).rejects.toMatchObject({ code: Status.UNIMPLEMENTED });
    expect(
      await unaryStatus(agent.healthAddress!, '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo'),
    ).toBe(grpcStatus.UNIMPLEMENTED);

    // The same status as the main server: NOT_SERVING when it stops.
    const watcher = new AbortController();
    const stream = health.watch({ service: '' }, { signal: watcher.signal })[Symbol.asyncIterator]();
    expect((await stream.next()).value).toEqual({ status: SERVING });
    const next = stream.next();
    agents.splice(agents.indexOf(agent), 1);
    const stopped = agent.stop();
    expect((await next).value).toEqual({ status: NOT_SERVING });
    watcher.abort();
    expect(await stopped).toBe(0);
  });
});

/** The status of a unary call with an empty message to `method`, made with grpc-js itself. */
function unaryStatus(address: string, method: string): Promise<number> {
  const client = new Client(address, grpcCredentials.createInsecure());
  return new Promise((resolve) => {
    const bytes = (b: Buffer) => b;
    client.makeUnaryRequest(method, bytes, bytes, Buffer.alloc(0), (err) => {
      client.close();
      resolve(err?.code ?? grpcStatus.OK);
    });
  });
}

describe('certificate rotation', () => {
  /** The certificate the agent shows in a new TLS handshake, by fingerprint. */
  function servedFingerprint(
    address: string,
    ca: string,
    client: { cert: string; key: string },
  ): Promise<string> {
    const [hostName, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.split(':').pop())];
    return new Promise((resolve, reject) => {
      const socket = tls.connect({
        host: hostName,
        port,
        servername: 'localhost',
        ca: fs.readFileSync(ca),
        cert: fs.readFileSync(client.cert),
        key: fs.readFileSync(client.key),
        ALPNProtocols: ['h2'],
      });
      socket.once('secureConnect', () => {
        resolve(socket.getPeerCertificate().fingerprint256);
        socket.destroy();
      });
      socket.once('error', reject);
    });
  }

  /** Replaces a file the way Kubernetes and careful tools do: write beside it, then rename over it. */
  function replace(target: string, source: string): void {
    fs.copyFileSync(source, `${target}.new`);
    fs.renameSync(`${target}.new`, target);
  }

  it('serves a new certificate and trusts a new CA once their files change, without a restart', async () => {
    const dir = path.join(pki.dir, 'rotating');
    fs.mkdirSync(dir);
    const files = {
      cert: path.join(dir, 'cert.pem'),
      key: path.join(dir, 'key.pem'),
      ca: path.join(dir, 'ca.pem'),
    };
    replace(files.cert, pki.server.cert);
    replace(files.key, pki.server.key);
    replace(files.ca, pki.ca.cert);
    const agent = await spawn('rotation', mutualFlags(files));
    const before = new X509Certificate(fs.readFileSync(pki.server.cert)).fingerprint256;
    expect(await servedFingerprint(agent.address, pki.ca.cert, pki.orchestrator)).toBe(before);
    await sdk(agent.address, pki.ca.cert, pki.orchestrator).listNetworks();

    // The new generation: a server certificate from the other CA, which now also signs clients.
    const next = pki.otherCa.server('server-next');
    replace(files.cert, next.cert);
    replace(files.key, next.key);
    replace(files.ca, pki.otherCa.cert);
    const after = new X509Certificate(fs.readFileSync(next.cert)).fingerprint256;
    await waitFor(
      'a new connection to see the new certificate',
      async () =>
        (await servedFingerprint(agent.address, pki.otherCa.cert, pki.impostor).catch(() => '')) === after,
      30_000,
    );
    expect((await sdk(agent.address, pki.otherCa.cert, pki.impostor).listNetworks()).networks).toEqual([]);
    await expect(sdk(agent.address, pki.ca.cert, pki.orchestrator).listNetworks()).rejects.toBeInstanceOf(
      MvnetError,
    );
    expect(agent.logs.filter((l) => l.msg === 'TLS certificate reloaded')).toHaveLength(1);
    expect(agent.logs.filter((l) => l.msg === 'serving')).toHaveLength(1);
  }, 60_000);

  it('keeps serving with the old pair while a rotation is half done', async () => {
    const dir = path.join(pki.dir, 'half-rotated');
    fs.mkdirSync(dir);
    const files = { cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem'), ca: pki.ca.cert };
    replace(files.cert, pki.server.cert);
    replace(files.key, pki.server.key);
    const agent = await spawn('half', mutualFlags(files));
    replace(files.cert, pki.ca.server('server-half').cert); // its key never comes
    await waitFor(
      'the refusal in the log',
      () =>
        agent.logs.some(
          (l) => l.msg === 'new TLS files refused: serving with the certificates loaded before',
        ),
      30_000,
    );
    expect((await sdk(agent.address, pki.ca.cert, pki.orchestrator).listNetworks()).networks).toEqual([]);
  }, 60_000);
});

describe('the unix socket', () => {
  it('is 0660 with the --group given, and its callers are operators (audited as unix-socket)', async () => {
    const socket = path.join(pki.dir, 'run', 'agent.sock');
    const agent = await spawn('unix', ['--group', 'daemon'], `unix://${socket}`);
    const stat = fs.statSync(socket);
    expect({ mode: stat.mode & 0o777, gid: stat.gid }).toEqual({ mode: 0o660, gid: groupId('daemon') });
    const client = new AgentClient({ host: agent.address });
    clients.push(client);
    const subnets = [{ cidr: '10.40.0.0/24', gateway: '10.40.0.1', ipRange: '', auxAddresses: {} }];
    await client.createNetwork({ name: 'bysocket', parent: 'eth0', subnets });
    await client.deleteNetwork('bysocket');
    // The lines come through the agent's stdout, a little after the answers.
    await waitFor('two audit lines', () => agent.logs.filter((l) => l.msg === 'audit').length >= 2);
    expect(agent.logs.filter((l) => l.msg === 'audit')).toEqual([
      expect.objectContaining({ auth: 'unix-socket', method: 'CreateNetwork', code: 'OK', revision: 1 }),
      expect.objectContaining({ auth: 'unix-socket', method: 'DeleteNetwork', code: 'OK', revision: 2 }),
    ]);
  });
});

describe('a unix socket beside a TCP listener (--listen twice)', () => {
  it('asks TCP callers for a certificate and none of the local ones, whose socket is 0660 with --group', async () => {
    const socket = path.join(pki.dir, 'run', 'beside.sock');
    const flags = mutualFlags({ cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert });
    const agent = await spawn('beside', [...flags, '--listen', `unix://${socket}`, '--group', 'daemon']);
    const served = agent.logs.find((l) => l.msg === 'serving');
    expect(served).toMatchObject({ localAddress: `unix://${socket}`, tls: 'mutual' });
    const stat = fs.statSync(socket);
    expect({ mode: stat.mode & 0o777, gid: stat.gid }).toEqual({ mode: 0o660, gid: groupId('daemon') });

    const local = new AgentClient({ host: `unix://${socket}` });
    clients.push(local);
    const subnets = [{ cidr: '10.41.0.0/24', gateway: '10.41.0.1', ipRange: '', auxAddresses: {} }];
    await local.createNetwork({ name: 'local', parent: 'eth0', subnets });
    expect(
      (await sdk(agent.address, pki.ca.cert, pki.orchestrator).listNetworks()).networks.map((n) => n.name),
    ).toEqual(['local']);
    // Over TCP, no certificate is no handshake.
    const bare = new AgentClient({
      host: agent.address,
      tlsVerify: true,
      tlsCaCert: pki.ca.cert,
      timeoutMs: 20_000,
    });
    clients.push(bare);
    await expect(bare.listNetworks()).rejects.toBeInstanceOf(MvnetError);
    await waitFor('the audit line', () => agent.logs.some((l) => l.msg === 'audit'));
    expect(agent.logs.find((l) => l.msg === 'audit')).toMatchObject({
      auth: 'unix-socket',
      method: 'CreateNetwork',
    });
  });
});
