import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startAgent, type RunningAgent } from '../../agent/src/startAgent';
import { MemoryDriver } from '../../agent/src/kernel/memory/MemoryDriver';
import { AgentClient } from '../../client/src/AgentClient';
import { runCli } from '../../client/src/cli/runCli';

const CLI_MAIN = path.join(__dirname, '../../dist/client/src/cli/main.js');
const DEADLINE_MS = 30_000;

/** A `mvnet watch` run in-process until stopped through io.signal. */
interface WatchRun {
  stdout: string;
  stderr: string;
  /** The stdout lines printed so far. */
  lines(): string[];
  /** Waits until a printed line matches. */
  until(pattern: RegExp): Promise<void>;
  /** Aborts io.signal (Ctrl-C) and returns the exit status. */
  stop(): Promise<number>;
}

/** A proto3 JSON watch event, as `--output json` prints it. */
interface EventJson {
  revision?: number;
  type: string;
  revisionEnd?: boolean;
  network?: { name: string };
  endpoint?: { name: string; network: string; ipv4Address?: string };
}

let agent: RunningAgent;
let client: AgentClient;
let stateDir: string;
let driver: MemoryDriver;

function watch(args: string): WatchRun {
  const controller = new AbortController();
  let status: number | undefined;
  const run = {
    stdout: '',
    stderr: '',
    lines: () => run.stdout.split('\n').filter((line) => line !== ''),
    async until(pattern: RegExp) {
      const deadline = Date.now() + DEADLINE_MS;
      while (!run.lines().some((line) => pattern.test(line))) {
        if (status !== undefined) throw new Error(`watch ended (${status}): ${run.stderr}`);
        if (Date.now() > deadline) throw new Error(`no line matching ${pattern} in:\n${run.stdout}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop: async () => {
      controller.abort();
      return exited;
    },
  };
  runs.push(run);
  const exited = runCli(`--host ${agent.address} watch ${args}`.trim().split(/\s+/), {
    stdout: (s) => (run.stdout += s),
    stderr: (s) => (run.stderr += s),
    env: {},
    signal: controller.signal,
  }).then((code) => (status = code));
  return run;
}

function parseLines(run: WatchRun): EventJson[] {
  return run.lines().map((line) => JSON.parse(line) as EventJson);
}

const runs: WatchRun[] = [];

beforeEach(async () => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-cliwatch-'));
  driver = new MemoryDriver({ links: [{ name: 'eth0', mtu: 1500 }] });
  for (const name of ['c1', 'c2', 'c3']) driver.addNetnsBehindBack({ name });
  agent = await startAgent({
    listen: '127.0.0.1:0',
    stateDir,
    logger: pino({ level: 'silent' }),
    driver,
    checkIntervalMs: 0,
    bookmarkIntervalMs: 100,
  });
  client = new AgentClient({ host: agent.address });
  // Revision 1: the network; revision 2: c1 on it.
  await client.createNetwork(network('mvnet', 0));
  await client.createEndpoint({ network: 'mvnet', netns: 'c1', ipv4Address: '192.168.0.3' });
});

afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.stop()));
  client?.close();
  await agent?.close(100);
  fs.rmSync(stateDir, { recursive: true, force: true });
});

function network(name: string, n: number) {
  const subnet = { cidr: `192.168.${n}.0/24`, gateway: `192.168.${n}.1`, ipRange: '', auxAddresses: {} };
  return { name, parent: 'eth0', subnets: [subnet] };
}

describe('mvnet watch', () => {
  it('prints one JSON object per line with --output json: the list, SYNCED, bookmarks, then changes', async () => {
    const run = watch('--output json');
    await run.until(/"type":"EVENT_TYPE_SYNCED"/);
    await run.until(/"type":"EVENT_TYPE_BOOKMARK"/);
    await client.createEndpoint({ network: 'mvnet', netns: 'c2' });
    await run.until(/"type":"EVENT_TYPE_ADDED".*"name":"c2"/);
    expect(await run.stop()).toBe(0);

    const events = parseLines(run);
    expect(events.slice(0, 3)).toEqual([
      expect.objectContaining({
        type: 'EVENT_TYPE_ADDED',
        network: expect.objectContaining({ name: 'mvnet' }),
      }),
      expect.objectContaining({
        type: 'EVENT_TYPE_ADDED',
        endpoint: expect.objectContaining({ name: 'c1', network: 'mvnet', ipv4Address: '192.168.0.3' }),
      }),
      { type: 'EVENT_TYPE_SYNCED', revision: 2, revisionEnd: true },
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'EVENT_TYPE_ADDED', endpoint: { name: 'c2' } });
    expect(run.stderr).toBe('');
  });

  it('prints a line per event for people, bookmarks only with --bookmarks', async () => {
    const run = watch('');
    await run.until(/SYNCED/);
    expect(run.lines()).toEqual([
      expect.stringMatching(
        /^1 +ADDED +network +mvnet +parent=eth0 subnets=192\.168\.0\.0\/24 endpoints=\d+ state=ready$/,
      ),
      expect.stringMatching(
        /^2 +ADDED +endpoint +mvnet\/c1 +ipv4=192\.168\.0\.3 mac=[0-9a-f:]{17} netns=c1 state=ready$/,
      ),
      '2       SYNCED    the current state is above; changes follow',
    ]);
    await client.createEndpoint({ network: 'mvnet', netns: 'c2' });
    await client.deleteEndpoint('mvnet', 'c2');
    await run.until(/DELETED/);
    expect(run.lines().slice(3)).toEqual([
      expect.stringMatching(
        /^3 +ADDED +endpoint +mvnet\/c2 +ipv4=192\.168\.0\.2 mac=[0-9a-f:]{17} netns=c2 state=ready$/,
      ),
      '4       DELETED   endpoint  mvnet/c2',
    ]);
    expect(await run.stop()).toBe(0);
    expect(run.stdout).not.toContain('BOOKMARK');

    const withBookmarks = watch('--bookmarks');
    await withBookmarks.until(/^4 +BOOKMARK$/);
    expect(await withBookmarks.stop()).toBe(0);
  });

  it('prints every event of a revision, the JSON marking its last with revisionEnd', async () => {
    await client.createEndpoint({ network: 'mvnet', netns: 'c2' });
    const table = watch('--since 3');
    const json = watch('--since 3 --output json');
    const { revision } = await client.deleteNetwork('mvnet', { force: true });
    await table.until(/DELETED +network/);
    await json.until(/"type":"EVENT_TYPE_DELETED".*"network":\{"name":"mvnet"/);
    expect(table.lines()).toEqual([
      `${revision}       DELETED   endpoint  mvnet/c1`,
      `${revision}       DELETED   endpoint  mvnet/c2`,
      `${revision}       DELETED   network   mvnet`,
    ]);
    const changes = parseLines(json).filter((e) => e.type !== 'EVENT_TYPE_BOOKMARK');
    expect(changes.map((e) => [e.revision, e.endpoint?.name ?? e.network?.name, e.revisionEnd])).toEqual([
      [revision, 'c1', undefined],
      [revision, 'c2', undefined],
      [revision, 'mvnet', true],
    ]);
  });

  it('shows only endpoints with --kind endpoint', async () => {
    const run = watch('--kind endpoint --output json');
    await run.until(/"type":"EVENT_TYPE_SYNCED"/);
    await client.createNetwork(network('other', 1));
    await client.createEndpoint({ network: 'other', netns: 'c3' });
    await run.until(/"name":"c3"/);
    expect(await run.stop()).toBe(0);

    const events = parseLines(run);
    expect(events.filter((e) => e.network)).toEqual([]);
    expect(
      events.filter((e) => e.endpoint).map((e) => `${e.type} ${e.endpoint!.network}/${e.endpoint!.name}`),
    ).toEqual(['EVENT_TYPE_ADDED mvnet/c1', 'EVENT_TYPE_ADDED other/c3']);
  });

  it('replays the changes after --since, of one --network only, then follows', async () => {
    await client.createEndpoint({ network: 'mvnet', netns: 'c2' });
    await client.deleteEndpoint('mvnet', 'c2');
    await client.createNetwork(network('other', 1));
    const run = watch('--since 1 --network mvnet --output json');
    await run.until(/"revision":4,/);
    await client.createEndpoint({ network: 'other', netns: 'c3' });
    await client.createEndpoint({ network: 'mvnet', netns: 'c2' });
    await run.until(/"revision":7,/);
    expect(await run.stop()).toBe(0);
    const changes = parseLines(run)
      .filter((e) => e.type !== 'EVENT_TYPE_BOOKMARK')
      .map((e) => `${e.revision} ${e.type} ${e.endpoint?.name ?? e.network?.name}`);
    expect(changes).toEqual([
      '2 EVENT_TYPE_ADDED c1',
      '3 EVENT_TYPE_ADDED c2',
      '4 EVENT_TYPE_DELETED c2',
      '7 EVENT_TYPE_ADDED c2',
    ]);
  });

  it('refuses a malformed --since or --kind before calling the agent', async () => {
    for (const [args, message] of [
      ['--since -3', /--since/],
      ['--since abc', /--since: expected a revision/],
      ['--kind router', /--kind: expected network, endpoint or host, not "router"/],
    ] as const) {
      const run = watch(args);
      expect(await run.stop()).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe('');
    }
  });

  it('fails at once, with the usual hint, when no agent listens there', async () => {
    const stderr: string[] = [];
    const code = await runCli(['--host', '127.0.0.1:1', 'watch'], {
      stdout: () => undefined,
      stderr: (s) => stderr.push(s),
      env: {},
      signal: new AbortController().signal,
    });
    expect(code).toBe(1);
    expect(stderr.join('')).toMatch(
      /\(UNAVAILABLE\): is mvnet-agent running and listening on 127\.0\.0\.1:1\?\n$/,
    );
  });

  it('exits 0 on Ctrl-C (SIGINT) as a process', async () => {
    const child = spawn(process.execPath, [CLI_MAIN, '--host', agent.address, 'watch'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + DEADLINE_MS;
    while (!/SYNCED/.test(stdout)) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`no SYNCED line from the CLI: ${stdout}${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
  });
});
