/**
 * Mutual TLS, tokens and roles from a gRPC client that is not Node's: Debian's python3-grpcio runs
 * test/python/reflection_client.py against an agent serving --tlsverify with a token file and an
 * authorization file (in-process, on the in-memory kernel). grpcio's own TLS stack verifies the agent
 * against the test CA, presents a client certificate, and sends the token with its access-token call
 * credentials (`authorization: Bearer ...`), the way an orchestrator written in Python would.
 */
import path from 'node:path';
import execa from 'execa';
import {
  makeTlsFixture,
  networkSpec,
  startLoggedAgent,
  tlsAgentOptions,
  type LoggedAgent,
  type TlsFixture,
} from '../support/tlsFixture';

const PYTHON = '/usr/bin/python3';
const CLIENT = path.join(__dirname, '../python/reflection_client.py');

let pki: TlsFixture;
let agent: LoggedAgent;

beforeAll(async () => {
  pki = makeTlsFixture();
  agent = await startLoggedAgent(tlsAgentOptions(pki, 'mutual'));
}, 60_000);

afterAll(async () => {
  await agent?.close();
  pki?.cleanup();
});

/** Runs the Python client over TLS with this client certificate (and token) to create `network`. */
async function python(client: { cert: string; key: string }, network: unknown, token?: string) {
  const tlsArgs = ['--tlscacert', pki.ca.cert, '--tlscert', client.cert, '--tlskey', client.key];
  // One word: a random base64url token may begin with '-', which argparse takes for an option.
  if (token) tlsArgs.push(`--token=${token}`);
  const r = await execa(PYTHON, [CLIENT, ...tlsArgs, agent.agent.address, JSON.stringify(network)], {
    reject: false,
    timeout: 60_000,
  });
  return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

describe('mutual TLS from a Python grpcio client', () => {
  it('reflects, checks health and creates a network as the orchestrator certificate', async () => {
    const r = await python(pki.orchestrator, networkSpec('pycert', 50));
    expect({ exitCode: r.exitCode, stderr: r.stderr }).toEqual({ exitCode: 0, stderr: '' });
    expect(r.stdout).toContain('ok: v1 list_services: ');
    expect(r.stdout).toContain('ok: grpc.health.v1.Health/Check: SERVING');
    expect(r.stdout).toMatch(/^CreateNetworkResponse: .*"name": "pycert"/m);
    expect(agent.audit().at(-1)).toMatchObject({ user: 'orchestrator', auth: 'certificate', code: 'OK' });
  }, 60_000);

  it("is the token's user with a certificate that has no CN (client certificate and token together)", async () => {
    const r = await python(pki.noCn, networkSpec('pytoken', 51), pki.operatorToken);
    expect({ exitCode: r.exitCode, stderr: r.stderr }).toEqual({ exitCode: 0, stderr: '' });
    expect(agent.audit().at(-1)).toMatchObject({
      user: 'orchestrator',
      auth: 'token',
      method: 'CreateNetwork',
      code: 'OK',
    });
  }, 60_000);

  it('gets reflection and health without a role, and PERMISSION_DENIED for the mutation', async () => {
    const r = await python(pki.stranger, networkSpec('pystranger', 52));
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toContain('ok: v1alpha list_services: ');
    expect(r.stdout).toContain('ok: grpc.health.v1.Health/Check: SERVING');
    expect(r.stderr).toMatch(
      /^rpc error: \/mvnet\.v1\.AgentService\/CreateNetwork: PERMISSION_DENIED: user stranger has no role/m,
    );
  }, 60_000);

  it('gets UNAUTHENTICATED for a wrong token with a certificate that has no CN', async () => {
    const r = await python(pki.noCn, networkSpec('pywrong', 53), 'not-the-token');
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/CreateNetwork: UNAUTHENTICATED: the bearer token is not valid/);
  }, 60_000);
});
