/**
 * The agent started exactly as deploy/systemd/mvnet-agent.service starts it: the unit's ExecStart=,
 * read from the file and expanded as systemd would (test/support/systemdCommandLine.ts) with the
 * shipped deploy/systemd/mvnet-agent.env and the variables systemd itself sets (STATE_DIRECTORY and the
 * other directories, its default PATH), in an otherwise empty environment. Then it must serve what the
 * environment file promises: mutual TLS on 0.0.0.0:7443, gRPC health on 127.0.0.1:7444 (`mvnet health`),
 * Prometheus text on http://127.0.0.1:9464/metrics, and its state in /var/lib/mvnet.
 *
 * The paths the unit names (/usr/local/bin/mvnet-agent, /etc/mvnet/..., /var/lib/mvnet, /run/mvnet)
 * exist only inside a private mount namespace of this test: overlays on their parent directories, whose
 * upper layers are a temp dir, so nothing is ever written to the host's /etc, /usr, /var or /run. The
 * agent and its clients run inside a throwaway network namespace (test/support, `mvt-<pid>-`), so the
 * 0.0.0.0 and loopback ports are that namespace's, and the host the agent manages is that namespace.
 *
 * The sandbox itself (ProtectSystem=, the capability set, the system call filter, RestrictNamespaces=...)
 * is NOT exercised here: no systemd runs as init on this machine, so nothing applies the unit's [Service]
 * settings but the command line and its environment. systemdUnit.test.ts checks the unit with
 * systemd-analyze instead.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { killProcessGroup } from '../../tools/processGroup';
import { makeNetnsHost, type NetnsHost } from '../support/netnsHost';
import { expandCommandLine } from '../support/systemdCommandLine';
import {
  parseEnvironmentFile,
  readUnitFile,
  serviceDirectories,
  SYSTEMD_DEFAULT_PATH,
  unitValue,
} from '../support/systemdUnitFile';
import { TestCa, type CertPair } from '../support/testPki';

const root = path.join(__dirname, '../..');
const unit = readUnitFile(path.join(root, 'deploy/systemd/mvnet-agent.service'));
const envText = fs.readFileSync(path.join(root, 'deploy/systemd/mvnet-agent.env'), 'utf8');
const cli = path.join(root, 'dist/client/src/cli/main.js');

let host: NetnsHost;
let stage: string;
let ca: TestCa;
let orchestrator: CertPair;
let agent: ChildProcess | undefined;
const logs: Record<string, unknown>[] = [];

/** Writes `text` at `file` under the stage's upper layer (the file's path as the agent sees it). */
function stageFile(file: string, text: string, mode = 0o644): void {
  const staged = path.join(stage, 'upper', file);
  fs.mkdirSync(path.dirname(staged), { recursive: true });
  fs.writeFileSync(staged, text, { mode });
}

/**
 * The private mount namespace's contents: what an operator installs by the README (the binary, the TLS
 * files, the authorization and environment files) and what systemd makes (the unit's directories).
 * Returns the directories to lay an overlay on.
 */
function stageInstall(env: Record<string, string>, directories: string[]): string[] {
  const executable = unitValue(unit, 'Service', 'ExecStart').split(/\s/)[0];
  const main = path.join(root, 'dist/agent/src/main.js');
  stageFile(executable, `#!/bin/sh\nexec ${process.execPath} ${main} "$@"\n`, 0o755);
  const server = ca.server('server');
  stageFile(env.MVNET_TLS_CA, fs.readFileSync(ca.cert, 'utf8'));
  stageFile(env.MVNET_TLS_CERT, fs.readFileSync(server.cert, 'utf8'));
  stageFile(env.MVNET_TLS_KEY, fs.readFileSync(server.key, 'utf8'), 0o600);
  stageFile(env.MVNET_AUTHORIZATION_FILE, 'viewer: [monitor]\noperator: [orchestrator]\n');
  stageFile(unitValue(unit, 'Service', 'EnvironmentFile'), envText, 0o600);
  for (const dir of directories)
    fs.mkdirSync(path.join(stage, 'upper', dir), { recursive: true, mode: 0o700 });
  const lowers = [...new Set([executable, ...directories].map((p) => path.dirname(p)))];
  for (const lower of lowers) {
    fs.mkdirSync(path.join(stage, 'upper', lower), { recursive: true });
    fs.mkdirSync(path.join(stage, 'work', lower), { recursive: true });
  }
  return lowers;
}

/**
 * Overlays each directory in a private mount namespace (`unshare --mount`), then runs the rest of its
 * arguments; nsenter puts all of it in the test's network namespace first.
 */
const MOUNT_THEN_EXEC = [
  'stage=$1; shift',
  'while [ "$1" != -- ]; do',
  '  mount -t overlay overlay -o "lowerdir=$1,upperdir=$stage/upper$1,workdir=$stage/work$1" "$1"; shift',
  'done',
  'shift',
  'exec "$@"',
].join('\n');

/** Starts the agent; resolves once it logged `serving`, rejects with its output if it ends first. */
function startAsSystemd(argv: string[], env: Record<string, string>, lowers: string[]): Promise<void> {
  const environment = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const child = spawn(
    'nsenter',
    [`--net=/run/netns/${host.ns}`, '--', 'unshare', '--mount', '--propagation', 'private', '--'].concat([
      'sh',
      '-ec',
      MOUNT_THEN_EXEC,
      'sh',
      stage,
      ...lowers,
      '--',
      'env',
      '-i',
      ...environment,
      ...argv,
    ]),
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  agent = child;
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    for (const stream of [child.stdout!, child.stderr!]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.msg === 'serving') resolve();
        } catch {
          // not pino's JSON: kept in `output` for the error below
        }
      });
    }
    child.once('exit', (code, signal) =>
      reject(new Error(`the agent ended before serving (${code ?? signal}):\n${output.join('\n')}`)),
    );
  });
}

/** Runs `argv` in the test's network namespace (not in the agent's mount namespace). */
function inNetns(argv: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('nsenter', [`--net=/run/netns/${host.ns}`, '--', ...argv], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function mvnet(...args: string[]) {
  return inNetns([process.execPath, cli, ...args]);
}

beforeAll(async () => {
  host = await makeNetnsHost('sysd');
  host.ip('link', 'set', 'lo', 'up'); // as on any host: the health and metrics addresses are loopback's
  stage = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-sysd-'));
  fs.mkdirSync(path.join(stage, 'pki'));
  ca = new TestCa(path.join(stage, 'pki'), 'main');
  orchestrator = ca.client('orchestrator', '/CN=orchestrator');
  const fileEnv = parseEnvironmentFile(envText);
  const directories = serviceDirectories(unit);
  const lowers = stageInstall(fileEnv, directories.paths);
  const env = { PATH: SYSTEMD_DEFAULT_PATH, ...fileEnv, ...directories.env };
  await startAsSystemd(expandCommandLine(unitValue(unit, 'Service', 'ExecStart'), env), env, lowers);
}, 60_000);

afterAll(async () => {
  if (agent?.pid !== undefined) killProcessGroup(agent.pid);
  await host?.cleanup();
  if (stage) fs.rmSync(stage, { recursive: true, force: true });
});

describe("the agent run with exactly the unit's ExecStart and environment file", () => {
  it('serves mutual TLS on 0.0.0.0:7443 to a client certificate of its CA, and nothing without one', () => {
    const serving = logs.find((l) => l.msg === 'serving')!;
    expect(serving).toMatchObject({
      address: '0.0.0.0:7443',
      tls: 'mutual',
      healthAddress: '127.0.0.1:7444',
    });
    const tls = ['--tlsverify', '--tlscacert', ca.cert];
    const withCert = ['--tlscert', orchestrator.cert, '--tlskey', orchestrator.key];
    const listed = mvnet(
      '--host',
      '127.0.0.1:7443',
      ...tls,
      ...withCert,
      '--output',
      'json',
      'network',
      'ls',
    );
    expect(listed).toMatchObject({ status: 0, stderr: '' });
    expect(JSON.parse(listed.stdout)).toEqual([]);
    const refused = mvnet('--host', '127.0.0.1:7443', ...tls, 'network', 'ls');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^Error: /);
  });

  it('serves the local socket /run/mvnet/agent.sock beside it, 0660 (in its mount namespace: the upper layer here)', () => {
    expect(logs.find((l) => l.msg === 'serving')).toMatchObject({
      localAddress: 'unix:///run/mvnet/agent.sock',
    });
    const socket = fs.statSync(path.join(stage, 'upper/run/mvnet/agent.sock'));
    expect({ socket: socket.isSocket(), mode: socket.mode & 0o777 }).toEqual({ socket: true, mode: 0o660 });
  });

  it('answers gRPC health on 127.0.0.1:7444 without credentials', () => {
    expect(mvnet('--host', '127.0.0.1:7444', 'health')).toEqual({
      status: 0,
      stdout: 'SERVING\n',
      stderr: '',
    });
  });

  it('serves Prometheus metrics on 127.0.0.1:9464, the call above counted', () => {
    const fetched = inNetns([
      process.execPath,
      '-e',
      "fetch('http://127.0.0.1:9464/metrics').then(async (r) => process.stdout.write(`${r.status}\\n${await r.text()}`))",
    ]);
    expect(fetched.status).toBe(0);
    expect(fetched.stdout.split('\n')[0]).toBe('200');
    expect(fetched.stdout).toMatch(
      /^mvnet_rpc_requests_total\{method="AgentService\/ListNetworks",code="OK"\} [1-9]/m,
    );
    expect(fetched.stdout).toMatch(/^process_resident_memory_bytes /m);
  });

  it("keeps its state in $STATE_DIRECTORY, /var/lib/mvnet in its mount namespace (the overlay's upper layer here)", () => {
    expect(fs.readdirSync(path.join(stage, 'upper/var/lib/mvnet'))).toContain('state.db');
  });

  it('stops on SIGTERM, as `systemctl stop` sends it, with status 0 (no restart under Restart=on-failure)', async () => {
    const ended = new Promise<number | null>((resolve) => agent!.once('exit', (code) => resolve(code)));
    process.kill(-agent!.pid!, 'SIGTERM');
    expect(await ended).toBe(0);
  });
});
