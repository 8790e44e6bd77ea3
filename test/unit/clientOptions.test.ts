import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentClient, clientOptionsFromEnv } from '../../client/src';

describe('clientOptionsFromEnv (Docker: DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH)', () => {
  let certs: string;

  beforeAll(() => {
    certs = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-certpath-'));
    for (const file of ['ca.pem', 'cert.pem', 'key.pem']) fs.writeFileSync(path.join(certs, file), '');
  });

  afterAll(() => fs.rmSync(certs, { recursive: true, force: true }));

  it('is plaintext to the local socket by default, whatever MVNET_CERT_PATH says', () => {
    expect(clientOptionsFromEnv({ MVNET_CERT_PATH: certs })).toEqual({
      host: 'unix:///run/mvnet/agent.sock',
      token: undefined,
    });
  });

  it('turns on verified TLS with MVNET_TLS_VERIFY, taking the three files from MVNET_CERT_PATH', () => {
    expect(
      clientOptionsFromEnv({
        MVNET_HOST: 'h1:7443',
        MVNET_TLS_VERIFY: '1',
        MVNET_CERT_PATH: certs,
        MVNET_TOKEN: 't',
      }),
    ).toEqual({
      host: 'h1:7443',
      token: 't',
      tls: true,
      tlsVerify: true,
      tlsCaCert: path.join(certs, 'ca.pem'),
      tlsCert: path.join(certs, 'cert.pem'),
      tlsKey: path.join(certs, 'key.pem'),
    });
  });

  it('lets flags win over the environment', () => {
    const options = clientOptionsFromEnv(
      { MVNET_HOST: 'h1:7443', MVNET_TLS_VERIFY: '1', MVNET_CERT_PATH: certs, MVNET_TOKEN: 't' },
      { host: 'h2:7443', tlsCaCert: '/etc/ca.pem', token: 'flag' },
    );
    expect(options).toMatchObject({ host: 'h2:7443', token: 'flag', tlsCaCert: '/etc/ca.pem' });
  });

  it('uses the client pair of the cert path only when both files are there', () => {
    fs.rmSync(path.join(certs, 'key.pem'));
    const options = clientOptionsFromEnv({ MVNET_CERT_PATH: certs }, { tls: true });
    expect(options).toMatchObject({ tls: true, tlsVerify: false, tlsCert: undefined, tlsKey: undefined });
  });
});

describe('AgentClient options that cannot work', () => {
  it.each([
    [
      { host: 'h1:7443', tlsCert: '/c.pem', tlsKey: '/k.pem' },
      '--tlscert is for TLS: add --tlsverify (or --tls)',
    ],
    [
      { host: 'h1:7443', tlsVerify: true, tlsCaCert: '/nonexistent/ca.pem' },
      'CA certificate (--tlscacert) /nonexistent/ca.pem: no such file (ENOENT)',
    ],
    [{ host: 'h1:7443', tls: true, tlsCert: '/c.pem' }, '--tlscert goes with --tlskey: give both'],
    [{ host: 'unix:///run/x.sock', tls: true }, 'TLS is for TCP hosts'],
    [{ host: '10.0.0.5:7443', token: 'secret' }, 'refusing to send a token in plaintext to 10.0.0.5:7443'],
    [{ host: '127.0.0.1:7443', token: 'sec ret' }, 'the token must be 1 to 1024 printable ASCII characters'],
  ])('%j is refused: %s', (options, message) => {
    expect(() => new AgentClient(options)).toThrow(message);
  });

  it('sends a token in plaintext to loopback and unix sockets', () => {
    for (const host of ['127.0.0.1:7443', '[::1]:7443', 'localhost:7443', 'unix:///run/x.sock'])
      new AgentClient({ host, token: 'secret' }).close();
  });
});
