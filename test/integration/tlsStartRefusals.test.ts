/**
 * The TLS and access flags' mistakes fail the agent's start at once (before it touches the host),
 * with a message naming the flag, the file and the line, and never a token.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeTlsFixture, type TlsFixture } from '../support/tlsFixture';

const AGENT_MAIN = path.join(__dirname, '../../dist/agent/src/main.js');

let pki: TlsFixture;

beforeAll(() => {
  pki = makeTlsFixture();
});

afterAll(() => pki?.cleanup());

describe('flags that fail the start', () => {
  /** Runs the agent with these flags; it must exit 1 at once, saying why on stderr. */
  function refusal(...flags: string[]): string {
    const r = spawnSync(
      process.execPath,
      [AGENT_MAIN, '--state-dir', path.join(pki.dir, 'refused'), ...flags],
      {
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    expect({ status: r.status, signal: r.signal }).toEqual({ status: 1, signal: null });
    return r.stderr;
  }

  function file(name: string, text: string): string {
    const written = path.join(pki.dir, name);
    fs.writeFileSync(written, text);
    return written;
  }

  const tcp = ['--listen', '127.0.0.1:0'];

  it('refuses a non-loopback address in plaintext, and names both ways out', () => {
    expect(refusal('--listen', '0.0.0.0:7443')).toContain(
      'without TLS the agent listens on loopback or a unix socket only; serve TLS with --tlscert and --tlskey',
    );
  });

  it('names the token file and the line of a malformed entry, and never the token', () => {
    const tokens = file('bad-tokens.csv', 'SECRET1,orchestrator,1\nSECRET2,monitor\n');
    const stderr = refusal(...tcp, '--token-auth-file', tokens);
    expect(stderr).toContain(`--token-auth-file ${tokens}: line 2: expected token,user,uid`);
    expect(stderr).not.toContain('SECRET');
  });

  it('names the authorization file and the line of an unknown role', () => {
    const roles = file('bad-roles.yaml', 'viewer: [monitor]\nadmin: [root]\n');
    expect(refusal(...tcp, '--token-auth-file', pki.tokenFile, '--authorization-file', roles)).toContain(
      `--authorization-file ${roles}: line 2: unknown role "admin"`,
    );
  });

  it('refuses a FIFO as the token file at once, without waiting for a writer', () => {
    const fifo = path.join(pki.dir, 'tokens.fifo');
    spawnSync('mkfifo', [fifo]);
    expect(refusal(...tcp, '--token-auth-file', fifo)).toContain(
      `--token-auth-file ${fifo}: not a regular file`,
    );
  });

  it('refuses a key that does not belong to the certificate', () => {
    expect(refusal(...tcp, '--tlscert', pki.server.cert, '--tlskey', pki.monitor.key)).toContain(
      'the key does not belong to the certificate',
    );
  });

  it('refuses --tlsverify without a CA, and tokens on a unix socket', () => {
    expect(
      refusal(...tcp, '--tlscert', pki.server.cert, '--tlskey', pki.server.key, '--tlsverify'),
    ).toContain('--tlsverify: name the CA that signs client certificates with --tlscacert');
    const socket = `unix://${path.join(pki.dir, 'refused.sock')}`;
    expect(refusal('--listen', socket, '--token-auth-file', pki.tokenFile)).toContain(
      '--token-auth-file: the agent listens on a unix socket',
    );
  });
});

describe('--listen given twice', () => {
  it('refuses two TCP addresses, two unix sockets, or three listeners, naming them', () => {
    const r = (...flags: string[]) =>
      spawnSync(
        process.execPath,
        [AGENT_MAIN, '--state-dir', path.join(pki.dir, 'refused-listen'), ...flags],
        {
          encoding: 'utf8',
          timeout: 20_000,
        },
      );
    for (const flags of [
      ['--listen', '127.0.0.1:0', '--listen', '127.0.0.2:0'],
      ['--listen', 'unix:///tmp/a.sock', '--listen', 'unix:///tmp/b.sock'],
      ['--listen', '127.0.0.1:0', '--listen', 'unix:///tmp/a.sock', '--listen', 'unix:///tmp/b.sock'],
    ]) {
      const run = r(...flags);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('at most one TCP address and one unix socket');
    }
  });
});
