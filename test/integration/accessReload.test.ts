/**
 * The token and authorization files read again without a restart (when they change on disk, and on
 * SIGHUP, systemd's ExecReload): the next call is checked against the new files; a file that cannot be
 * read or parsed changes nothing, not even the other file. In-process on the in-memory kernel, then
 * once through a real agent process and its signal.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { AgentClient, MvnetError } from '../../client/src';
import { addNetns, deleteNetns } from '../../tools/netns';
import { spawnAgent, type AgentProcess } from '../support/agentProcess';
import { uniqueNetnsName } from '../support/netnsPrefix';
import {
  makeTlsFixture,
  networkSpec,
  startLoggedAgent,
  tlsAgentOptions,
  type LoggedAgent,
  type TlsFixture,
} from '../support/tlsFixture';
import { waitFor } from '../support/waitFor';

let pki: TlsFixture;
let served: LoggedAgent;
const clients: AgentClient[] = [];

beforeAll(async () => {
  pki = makeTlsFixture();
  served = await startLoggedAgent(tlsAgentOptions(pki, 'serverOnly'));
}, 60_000);

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

afterAll(async () => {
  await served?.close();
  pki?.cleanup();
});

let made = 0;
const newToken = () => randomBytes(24).toString('base64url');

/** An SDK client of `address` over TLS (verified against the test CA) with this bearer token. */
function withToken(token: string, address = served.agent.address): AgentClient {
  const client = new AgentClient({
    host: address,
    tlsVerify: true,
    tlsCaCert: pki.ca.cert,
    token,
    timeoutMs: 20_000,
  });
  clients.push(client);
  return client;
}

/** The gRPC code a call ends with: OK, or the agent's refusal. */
async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'OK';
  } catch (err) {
    if (err instanceof MvnetError) return err.codeName;
    throw err;
  }
}

/** Writes both files anew (removing first what a case left there: a FIFO would block the write). */
function writeFiles(tokens: string, roles: string): void {
  fs.rmSync(pki.tokenFile, { recursive: true, force: true });
  fs.writeFileSync(pki.tokenFile, tokens);
  fs.writeFileSync(pki.authorizationFile, roles);
}

describe('reloading the access files', () => {
  it('puts new tokens and roles in force for the next call, on a connection opened before', async () => {
    const before = withToken(pki.operatorToken);
    expect(await codeOf(before.listNetworks())).toBe('OK');
    const rotated = newToken();
    writeFiles(
      `${rotated},orchestrator,1001\n${pki.viewerToken},monitor,1002\n`,
      'viewer: [monitor, orchestrator]\n',
    );
    expect(served.agent.reloadAccess()).toBe(true);
    // The old token is refused on the connection it used; the new one is the same user, now a viewer.
    expect(await codeOf(before.listNetworks())).toBe('UNAUTHENTICATED');
    expect(await codeOf(withToken(rotated).listNetworks())).toBe('OK');
    expect(await codeOf(withToken(rotated).createNetwork(networkSpec('reload1', 61)))).toBe(
      'PERMISSION_DENIED',
    );
    expect(served.audit().at(-1)).toMatchObject({
      user: 'orchestrator',
      auth: 'token',
      code: 'PERMISSION_DENIED',
    });
    expect(served.logs.some((l) => l.msg === 'access files reloaded')).toBe(true);
  });

  it.each([
    [
      'a token file line that does not parse',
      () => fs.writeFileSync(pki.tokenFile, 'only-a-token\n'),
      /--token-auth-file .*tokens\.csv: line 1/,
    ],
    [
      'an authorization file that does not parse',
      () => fs.writeFileSync(pki.authorizationFile, 'admin: [x]\n'),
      /--authorization-file .*authorization\.yaml/,
    ],
    ['a token file that is gone', () => fs.rmSync(pki.tokenFile), /--token-auth-file .*tokens\.csv/],
    [
      'a token file that is a FIFO',
      () => {
        fs.rmSync(pki.tokenFile);
        execFileSync('mkfifo', [pki.tokenFile]);
      },
      /not a regular file/,
    ],
    [
      'a token file that is a directory',
      () => {
        fs.rmSync(pki.tokenFile);
        fs.mkdirSync(pki.tokenFile);
      },
      /not a regular file/,
    ],
    [
      'a token file over 1 MiB',
      () => fs.writeFileSync(pki.tokenFile, 'x'.repeat(1024 * 1024 + 1)),
      /larger than 1048576 bytes/,
    ],
  ])('refuses %s and changes nothing, the other file included', async (_what, spoil, message) => {
    const kept = newToken();
    const unused = newToken();
    writeFiles(`${kept},orchestrator,1001\n`, 'operator: [orchestrator]\n');
    expect(served.agent.reloadAccess()).toBe(true);
    // Both files change: a good one beside the spoiled one must not take effect alone.
    writeFiles(`${unused},orchestrator,1001\n`, 'viewer: [orchestrator]\n');
    spoil();
    expect(served.agent.reloadAccess()).toBe(false);
    expect(served.logs.at(-1)).toMatchObject({
      msg: 'reload refused: the access files in force stay',
      err: expect.stringMatching(message),
    });
    const name = `kept${++made}`;
    expect(await codeOf(withToken(kept).createNetwork(networkSpec(name, 70 + made)))).toBe('OK'); // an operator still
    expect(await codeOf(withToken(unused).listNetworks())).toBe('UNAUTHENTICATED');
  });
});

describe('a change on disk', () => {
  it('is put in force without a signal, also when made as the kubelet makes it (a symlink swapped)', async () => {
    // A Secret's volume: tokens.csv -> ..data/tokens.csv, ..data -> a dated dir, swapped with a rename.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-secret-'));
    const version = (name: string, content: string) => {
      fs.mkdirSync(path.join(dir, name));
      fs.writeFileSync(path.join(dir, name, 'tokens.csv'), content);
      fs.symlinkSync(name, path.join(dir, '..data_tmp'));
      fs.renameSync(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
    };
    const first = newToken();
    version('v1', `${first},orchestrator,1001\n`);
    fs.symlinkSync('..data/tokens.csv', path.join(dir, 'tokens.csv'));
    fs.writeFileSync(pki.authorizationFile, 'operator: [orchestrator]\n');
    const watched = await startLoggedAgent({
      ...tlsAgentOptions(pki, 'serverOnly'),
      tokenAuthFile: path.join(dir, 'tokens.csv'),
      accessFilesRefreshMs: 100,
    });
    try {
      const address = watched.agent.address;
      expect(await codeOf(withToken(first, address).listNetworks())).toBe('OK');
      const second = newToken();
      version('v2', `${second},orchestrator,1001\n`);
      await waitFor(
        'the new token',
        async () => (await codeOf(withToken(second, address).listNetworks())) === 'OK',
      );
      expect(await codeOf(withToken(first, address).listNetworks())).toBe('UNAUTHENTICATED');
      // A change that does not parse is refused once, and the tokens in force stay.
      version('v3', 'a-token-without-a-user\n');
      await waitFor('the refusal', () =>
        watched.logs.some((l) => String(l.msg).startsWith('reload refused')),
      );
      expect(await codeOf(withToken(second, address).listNetworks())).toBe('OK');
    } finally {
      await watched.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('mvnet-agent on SIGHUP', () => {
  let agent: AgentProcess | undefined;
  let stateDir: string;
  const netns = uniqueNetnsName('reload');

  afterAll(async () => {
    await agent?.stop();
    await deleteNetns(netns);
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('reloads the files and keeps serving; a bad file is logged, and the files in force stay', async () => {
    const first = newToken();
    writeFiles(`${first},orchestrator,1001\n`, 'operator: [orchestrator]\n');
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-reload-'));
    await addNetns(netns);
    agent = await spawnAgent({
      stateDir,
      netns,
      extra: [
        '--tlscert',
        pki.server.cert,
        '--tlskey',
        pki.server.key,
        '--token-auth-file',
        pki.tokenFile,
        '--authorization-file',
        pki.authorizationFile,
      ],
    });
    expect(await codeOf(withToken(first, agent.address).listNetworks())).toBe('OK');
    const second = newToken();
    writeFiles(`${second},orchestrator,1001\n`, 'operator: [orchestrator]\n');
    process.kill(agent.pid, 'SIGHUP');
    await waitFor('the reload', () => agent!.logs.some((l) => l.msg === 'access files reloaded'), 20_000);
    expect(await codeOf(withToken(second, agent.address).listNetworks())).toBe('OK');
    expect(await codeOf(withToken(first, agent.address).listNetworks())).toBe('UNAUTHENTICATED');
    fs.writeFileSync(pki.tokenFile, 'not,a\n');
    process.kill(agent.pid, 'SIGHUP');
    await waitFor(
      'the refusal',
      () => agent!.logs.some((l) => String(l.msg).startsWith('reload refused')),
      20_000,
    );
    expect(await codeOf(withToken(second, agent.address).listNetworks())).toBe('OK');
  });
});
