/**
 * The token and authorization files read again without a restart (SIGHUP, systemd's ExecReload): the
 * next call is checked against the new files; a file that cannot be read or parsed changes nothing,
 * not even the other file. In-process on the in-memory kernel, then once through a real agent process
 * and its signal.
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
    served.agent.reloadAccess();
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
    served.agent.reloadAccess();
    // Both files change: a good one beside the spoiled one must not take effect alone.
    writeFiles(`${unused},orchestrator,1001\n`, 'viewer: [orchestrator]\n');
    spoil();
    expect(() => served.agent.reloadAccess()).toThrow(message);
    const name = `kept${++made}`;
    expect(await codeOf(withToken(kept).createNetwork(networkSpec(name, 70 + made)))).toBe('OK'); // an operator still
    expect(await codeOf(withToken(unused).listNetworks())).toBe('UNAUTHENTICATED');
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
