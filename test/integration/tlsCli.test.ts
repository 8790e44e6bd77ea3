/**
 * The CLI's TLS flags and environment (Docker's: --tls, --tlsverify, --tlscacert, --tlscert, --tlskey,
 * MVNET_CERT_PATH, MVNET_TLS_VERIFY; and --token, MVNET_TOKEN) against agents serving mutual TLS and
 * TLS with tokens, and the messages a person gets when something is missing or refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../../client/src/cli/runCli';
import {
  makeTlsFixture,
  startLoggedAgent,
  tlsAgentOptions,
  type LoggedAgent,
  type TlsFixture,
} from '../support/tlsFixture';

let pki: TlsFixture;
let mutual: LoggedAgent;
let serverOnly: LoggedAgent;

beforeAll(async () => {
  pki = makeTlsFixture();
  mutual = await startLoggedAgent(tlsAgentOptions(pki, 'mutual'));
  serverOnly = await startLoggedAgent(tlsAgentOptions(pki, 'serverOnly'));
}, 60_000);

afterAll(async () => {
  await mutual?.close();
  await serverOnly?.close();
  pki?.cleanup();
});

/** Runs `mvnet <args>` in-process with this environment. */
async function mvnet(env: Record<string, string>, ...args: string[]) {
  const run = { stdout: '', stderr: '' };
  const code = await runCli(args, {
    stdout: (s) => (run.stdout += s),
    stderr: (s) => (run.stderr += s),
    env,
  });
  return { code, ...run };
}

const CREATE = [
  'network',
  'create',
  '--subnet',
  '10.30.0.0/24',
  '--gateway',
  '10.30.0.1',
  '-o',
  'parent=eth0',
];

describe('mvnet with mutual TLS', () => {
  it('lets a viewer list, and prints why its create is refused', async () => {
    const viewer = ['--host', mutual.agent.address, '--tlsverify', '--tlscacert', pki.ca.cert];
    viewer.push('--tlscert', pki.monitor.cert, '--tlskey', pki.monitor.key);
    expect(await mvnet({}, ...viewer, 'network', 'ls')).toMatchObject({ code: 0, stderr: '' });
    expect(await mvnet({}, ...viewer, ...CREATE, 'byviewer')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: user monitor is a viewer: CreateNetwork needs the operator role (PERMISSION_DENIED)\n',
    });
  });

  it('takes the certificates from MVNET_CERT_PATH with MVNET_TLS_VERIFY, as Docker does', async () => {
    const certPath = path.join(pki.dir, 'orchestrator-cert-path');
    fs.mkdirSync(certPath);
    fs.copyFileSync(pki.ca.cert, path.join(certPath, 'ca.pem'));
    fs.copyFileSync(pki.orchestrator.cert, path.join(certPath, 'cert.pem'));
    fs.copyFileSync(pki.orchestrator.key, path.join(certPath, 'key.pem'));
    const env = { MVNET_HOST: mutual.agent.address, MVNET_TLS_VERIFY: '1', MVNET_CERT_PATH: certPath };
    expect(await mvnet(env, ...CREATE, 'byenv')).toEqual({ code: 0, stdout: 'byenv\n', stderr: '' });
    expect(mutual.audit().at(-1)).toMatchObject({ user: 'orchestrator', auth: 'certificate', code: 'OK' });
  });

  it('says the handshake failed when the agent wants a client certificate and gets none', async () => {
    const run = await mvnet(
      {},
      '--host',
      mutual.agent.address,
      '--tlsverify',
      '--tlscacert',
      pki.ca.cert,
      'network',
      'ls',
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `(UNAVAILABLE): the TLS handshake with ${mutual.agent.address} failed: check --tlscacert`,
    );
  });

  it('names a certificate file that is not there', async () => {
    const run = await mvnet(
      {},
      '--host',
      mutual.agent.address,
      '--tlsverify',
      '--tlscacert',
      '/nonexistent/ca.pem',
      'network',
      'ls',
    );
    expect(run).toMatchObject({
      code: 1,
      stderr: 'Error: CA certificate (--tlscacert) /nonexistent/ca.pem: no such file (ENOENT)\n',
    });
  });

  it('refuses client certificate flags without --tls or --tlsverify', async () => {
    const run = await mvnet(
      {},
      '--host',
      mutual.agent.address,
      '--tlscert',
      pki.monitor.cert,
      '--tlskey',
      pki.monitor.key,
      'network',
      'ls',
    );
    expect(run).toMatchObject({
      code: 1,
      stderr: 'Error: --tlscert is for TLS: add --tlsverify (or --tls)\n',
    });
  });
});

describe('mvnet with TLS and tokens', () => {
  const tls = () => ['--host', serverOnly.agent.address, '--tlsverify', '--tlscacert', pki.ca.cert];

  it('sends MVNET_TOKEN, and --token over it', async () => {
    expect(await mvnet({ MVNET_TOKEN: pki.viewerToken }, ...tls(), 'network', 'ls')).toMatchObject({
      code: 0,
    });
    const run = await mvnet(
      { MVNET_TOKEN: pki.viewerToken },
      ...tls(),
      '--token',
      pki.operatorToken,
      ...CREATE,
      'bytoken',
    );
    expect(run).toEqual({ code: 0, stdout: 'bytoken\n', stderr: '' });
  });

  it('says how to give credentials when a token is wrong, without printing it', async () => {
    const run = await mvnet({}, ...tls(), '--token', 'not-the-token', 'network', 'ls');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'Error: the bearer token is not valid (UNAUTHENTICATED): present a client certificate (--tlsverify --tlscert --tlskey, or cert.pem and key.pem in $MVNET_CERT_PATH) or a token (--token, $MVNET_TOKEN)\n',
    );
  });

  it('hints at TLS when a plaintext CLI reaches a TLS agent', async () => {
    const run = await mvnet({}, '--host', serverOnly.agent.address, 'network', 'ls');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ended the connection: if the agent serves TLS, add --tlsverify');
  });
});
