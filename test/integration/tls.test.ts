/**
 * TLS, client certificates, tokens and roles through the SDK, against real gRPC servers on loopback
 * (agents in-process on the in-memory kernel) with certificates made by openssl for the test:
 *
 * - "mutual": --tlsverify with the test CA, a token file and an authorization file (viewer: monitor,
 *   operator: orchestrator);
 * - "server-only": TLS without client certificates, the same token and authorization files.
 */
import fs from 'node:fs';
import { ChannelCredentials, createChannel, createClient, Metadata, Status, type Channel } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { AgentClient, MvnetError, type AgentClientOptions } from '../../client/src';
import { HealthCheckResponse_ServingStatus } from '../../proto/gen/grpc/health/v1/health';
import { AgentServiceDefinition } from '../../proto/gen/mvnet/v1/agent_service';
import {
  makeTlsFixture,
  networkSpec,
  startLoggedAgent,
  tlsAgentOptions,
  type LoggedAgent,
  type TlsFixture,
} from '../support/tlsFixture';

let pki: TlsFixture;
let mutual: LoggedAgent;
let serverOnly: LoggedAgent;
const clients: AgentClient[] = [];
const channels: Channel[] = [];

beforeAll(async () => {
  pki = makeTlsFixture();
  mutual = await startLoggedAgent(tlsAgentOptions(pki, 'mutual'));
  serverOnly = await startLoggedAgent(tlsAgentOptions(pki, 'serverOnly'));
}, 60_000);

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  for (const channel of channels.splice(0)) channel.close();
});

afterAll(async () => {
  await mutual?.close();
  await serverOnly?.close();
  pki?.cleanup();
});

/** An SDK client of `agent` that verifies it against the test CA, with these options on top. */
function sdk(agent: LoggedAgent, options: Partial<AgentClientOptions> = {}): AgentClient {
  const client = new AgentClient({
    host: agent.agent.address,
    tlsVerify: true,
    tlsCaCert: pki.ca.cert,
    timeoutMs: 20_000,
    ...options,
  });
  clients.push(client);
  return client;
}

/** The client options presenting one of the fixture's certificates. */
function presenting(pair: { cert: string; key: string }): Partial<AgentClientOptions> {
  return { tlsCert: pair.cert, tlsKey: pair.key };
}

/** The error a promise rejects with, as code and message. */
async function failure(promise: Promise<unknown>): Promise<{ code: string; details: string }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof MvnetError) return { code: err.codeName, details: err.details };
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe('mutual TLS (--tlsverify)', () => {
  it('refuses a client without a certificate in the handshake', async () => {
    const r = await failure(sdk(mutual).listNetworks());
    expect(r.code).toBe('UNAVAILABLE');
    expect(r.details).toMatch(/certificate required|handshake|socket disconnected/i);
  });

  it('refuses a client whose certificate another CA signed, though its CN is an operator', async () => {
    const r = await failure(sdk(mutual, presenting(pki.impostor)).createNetwork(networkSpec('impostor', 90)));
    expect(r.code).toBe('UNAVAILABLE');
    expect(mutual.audit().filter((l) => l.user === 'orchestrator' && l.code === 'OK')).toEqual([]);
  });

  it("refuses a host's server certificate as a client certificate (no clientAuth usage)", async () => {
    const r = await failure(sdk(mutual, presenting(pki.server)).listNetworks());
    expect(r.code).toBe('UNAVAILABLE');
  });

  it('lets a viewer read, and refuses its mutation with PERMISSION_DENIED, in the audit log', async () => {
    const viewer = sdk(mutual, presenting(pki.monitor));
    expect((await viewer.listNetworks()).networks).toEqual(expect.any(Array));
    expect(await failure(viewer.createNetwork(networkSpec('viewers', 10)))).toEqual({
      code: 'PERMISSION_DENIED',
      details: 'user monitor is a viewer: CreateNetwork needs the operator role',
    });
    expect(mutual.audit().at(-1)).toMatchObject({
      user: 'monitor',
      auth: 'certificate',
      method: 'CreateNetwork',
      code: 'PERMISSION_DENIED',
    });
  });

  it("carries out an operator's mutation, and audits it with its revision", async () => {
    const operator = sdk(mutual, presenting(pki.orchestrator));
    const { network, revision } = await operator.createNetwork(networkSpec('operators', 11));
    expect(network.name).toBe('operators');
    expect(mutual.audit().at(-1)).toMatchObject({
      user: 'orchestrator',
      auth: 'certificate',
      method: 'CreateNetwork',
      code: 'OK',
      revision,
    });
    await operator.deleteNetwork('operators');
    expect(mutual.audit().at(-1)).toMatchObject({ method: 'DeleteNetwork', code: 'OK' });
  });

  it('refuses a user the authorization file does not name, even for reads', async () => {
    const r = await failure(sdk(mutual, presenting(pki.stranger)).listNetworks());
    expect(r).toEqual({
      code: 'PERMISSION_DENIED',
      details:
        'user stranger has no role on this agent: its --authorization-file names viewers and operators',
    });
  });

  it("takes the certificate's user over a token's (as kube-apiserver does)", async () => {
    const both = sdk(mutual, { ...presenting(pki.monitor), token: pki.operatorToken });
    expect((await failure(both.createNetwork(networkSpec('both', 12)))).code).toBe('PERMISSION_DENIED');
    expect(mutual.audit().at(-1)).toMatchObject({ user: 'monitor', auth: 'certificate' });
  });

  it("takes the token's user when the certificate has no CN, and refuses the certificate alone", async () => {
    const withToken = sdk(mutual, { ...presenting(pki.noCn), token: pki.operatorToken });
    await withToken.createNetwork(networkSpec('bytoken', 13));
    expect(mutual.audit().at(-1)).toMatchObject({ user: 'orchestrator', auth: 'token', code: 'OK' });
    const r = await failure(sdk(mutual, presenting(pki.noCn)).listNetworks());
    expect(r.code).toBe('UNAUTHENTICATED');
    expect(r.details).toContain('no subject CN');
  });

  it('does not take a verified-peer header a client forged', async () => {
    const forged = (commonNames: string[]) =>
      Metadata({ 'x-mvnet-verified-peer-bin': Buffer.from(JSON.stringify({ commonNames })) });
    const raw = (pair: { cert: string; key: string }) => {
      const creds = ChannelCredentials.createSsl(
        fs.readFileSync(pki.ca.cert),
        fs.readFileSync(pair.key),
        fs.readFileSync(pair.cert),
      );
      const channel = createChannel(mutual.agent.address, creds);
      channels.push(channel);
      return createClient(AgentServiceDefinition, channel);
    };
    const spec = { network: networkSpec('forged', 14) };
    await expect(
      raw(pki.noCn).createNetwork(spec, { metadata: forged(['orchestrator']) }),
    ).rejects.toMatchObject({
      code: Status.UNAUTHENTICATED,
    });
    await expect(
      raw(pki.monitor).createNetwork(spec, { metadata: forged(['orchestrator']) }),
    ).rejects.toMatchObject({
      code: Status.PERMISSION_DENIED,
      details: 'user monitor is a viewer: CreateNetwork needs the operator role',
    });
  });

  it('answers health checks from any certified client, whatever its role', async () => {
    const creds = ChannelCredentials.createSsl(
      fs.readFileSync(pki.ca.cert),
      fs.readFileSync(pki.stranger.key),
      fs.readFileSync(pki.stranger.cert),
    );
    const channel = createChannel(mutual.agent.address, creds);
    channels.push(channel);
    const health = createClient(HealthDefinition, channel);
    expect((await health.check({ service: 'mvnet.v1.AgentService' })).status).toBe(
      HealthCheckResponse_ServingStatus.SERVING,
    );
  });
});

describe('TLS with bearer tokens (no client certificates)', () => {
  it('lets a token in: the viewer reads, the operator mutates', async () => {
    expect((await sdk(serverOnly, { token: pki.viewerToken }).getHost()).host).toBeDefined();
    await sdk(serverOnly, { token: pki.operatorToken }).createNetwork(networkSpec('tokens', 20));
    expect(serverOnly.audit().at(-1)).toMatchObject({ user: 'orchestrator', auth: 'token', code: 'OK' });
    const r = await failure(sdk(serverOnly, { token: pki.viewerToken }).deleteNetwork('tokens'));
    expect(r.code).toBe('PERMISSION_DENIED');
  });

  it('refuses a wrong token with UNAUTHENTICATED, and never echoes or logs it', async () => {
    // The last character changed (to 'x', or 'y' when it was an 'x': the token is random).
    const last = pki.operatorToken.slice(-1) === 'x' ? 'y' : 'x';
    const wrong = `${pki.operatorToken.slice(0, -1)}${last}`;
    const r = await failure(sdk(serverOnly, { token: wrong }).createNetwork(networkSpec('wrong', 21)));
    expect(r).toEqual({ code: 'UNAUTHENTICATED', details: 'the bearer token is not valid' });
    expect(serverOnly.audit().at(-1)).toMatchObject({ auth: 'none', code: 'UNAUTHENTICATED' });
    const everything = JSON.stringify(serverOnly.logs);
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain(pki.operatorToken);
  });

  it('refuses AgentService without credentials, and still answers health checks', async () => {
    const r = await failure(sdk(serverOnly).listNetworks());
    expect(r.code).toBe('UNAUTHENTICATED');
    expect(r.details).toContain('no credentials');
    const creds = ChannelCredentials.createSsl(fs.readFileSync(pki.ca.cert));
    const channel = createChannel(serverOnly.agent.address, creds);
    channels.push(channel);
    expect((await createClient(HealthDefinition, channel).check({ service: '' })).status).toBe(
      HealthCheckResponse_ServingStatus.SERVING,
    );
  });

  it("encrypts without verifying with --tls, and refuses an agent another CA's client trusts", async () => {
    const unverified = sdk(serverOnly, {
      tlsVerify: false,
      tls: true,
      tlsCaCert: undefined,
      token: pki.viewerToken,
    });
    expect((await unverified.listNetworks()).networks).toEqual(expect.any(Array));
    const r = await failure(
      sdk(serverOnly, { tlsCaCert: pki.otherCa.cert, token: pki.viewerToken }).listNetworks(),
    );
    expect(r.code).toBe('UNAVAILABLE');
    expect(r.details).toMatch(/certificate/i);
  });

  it('does not speak to a plaintext client', async () => {
    const plain = sdk(serverOnly, { tlsVerify: false, tlsCaCert: undefined, host: serverOnly.agent.address });
    expect((await failure(plain.listNetworks())).code).toBe('UNAVAILABLE');
  });
});
