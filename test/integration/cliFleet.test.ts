/**
 * `mvnet fleet` run in-process (runCli) against three in-process agents on the in-memory kernel, each
 * with an eth0: plan (text, JSON, --out), apply of a saved plan and of the file (table and JSON), a
 * host changed since its plan, a refused plan (one static address on two hosts), a bad file, Ctrl-C
 * before the rollout starts, status and watch. Gateway probes stay off: the memory kernel's ARP
 * answers only where a test tells it to.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startAgent, type RunningAgent } from '../../agent/src/startAgent';
import { MemoryDriver } from '../../agent/src/kernel/memory/MemoryDriver';
import { AgentClient } from '../../client/src';
import { runCli } from '../../client/src/cli/runCli';
import { waitFor } from '../support/waitFor';
import { Subnet } from '../../proto/gen/mvnet/v1/network';

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const HOSTS = ['h1', 'h2', 'h3'];
const agents: RunningAgent[] = [];
let dir: string;

/** Runs `mvnet <args>` in-process, in the test's folder, with an interrupt signal when given. */
async function mvnet(args: string[], signal?: AbortSignal): Promise<CliRun> {
  const run = { stdout: '', stderr: '' };
  const code = await runCli(args, {
    stdout: (s) => (run.stdout += s),
    stderr: (s) => (run.stderr += s),
    env: {},
    signal,
  });
  return { code, ...run };
}

/** Writes a fleet file of the three hosts with this YAML after `hosts:`, and returns its path. */
function fleetFile(name: string, rest: string): string {
  const hosts = agents.map((a, i) => `  - {name: ${HOSTS[i]}, address: "${a.address}"}`).join('\n');
  const file = path.join(dir, name);
  fs.writeFileSync(file, `hosts:\n${hosts}\n${rest}`);
  return file;
}

const LAN = `networks:
  - name: lan
    parent: eth0
    subnets: [{cidr: 192.168.50.0/24, gateway: 192.168.50.1, ipRangePerHost: 28}]
endpoints:
  - {host: h1, name: c1, network: lan, netns: c1}
  - {host: h2, name: c2, network: lan, netns: c2}
rollout: {canary: 1, maxUnavailable: 1, confirmWithin: 20s}
`;

async function withClient<T>(i: number, use: (client: AgentClient) => Promise<T>): Promise<T> {
  const client = new AgentClient({ host: agents[i].address });
  try {
    return await use(client);
  } finally {
    client.close();
  }
}

const revisions = () =>
  Promise.all(agents.map((_, i) => withClient(i, async (c) => (await c.getHost()).revision)));

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-clifleet-'));
  for (const [i, name] of HOSTS.entries()) {
    const driver = new MemoryDriver({ links: [{ name: 'eth0', kind: '', mtu: 1500 }] });
    driver.addNetnsBehindBack({ name: `c${i + 1}` });
    agents.push(
      await startAgent({
        listen: '127.0.0.1:0',
        stateDir: path.join(dir, name),
        logger: pino({ level: 'silent' }),
        driver,
      }),
    );
  }
});

afterAll(async () => {
  for (const agent of agents) await agent.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('mvnet fleet against three agents', () => {
  let file: string;

  beforeAll(() => {
    file = fleetFile('fleet.yaml', LAN);
  });

  it('plans each host: its header, its diff, and the waves; nothing changes', async () => {
    const before = await revisions();
    const run = await mvnet(['fleet', 'plan', '-f', file]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    // Each host has a block of its own: h1 the first free /28 after the gateway's, h2 the next.
    expect(run.stdout).toContain(
      [
        `h1 (${agents[0].address}), revision ${before[0]}:`,
        '  + network lan (new network on eth0, 192.168.50.0/24)',
        '  + endpoint c1 on lan (new endpoint in c1 as eth0, 192.168.50.16)',
        '',
        '  Plan: 2 to add, 0 to change, 0 to replace, 0 to delete, 0 unchanged.',
        '',
        `h2 (${agents[1].address}), revision ${before[1]}:`,
        '  + network lan (new network on eth0, 192.168.50.0/24)',
        '  + endpoint c2 on lan (new endpoint in c2 as eth0, 192.168.50.32)',
      ].join('\n'),
    );
    expect(run.stdout).toContain(
      `h3 (${agents[2].address}), revision ${before[2]}:\n  + network lan (new network on eth0, 192.168.50.0/24)\n\n`,
    );
    expect(run.stdout).toMatch(
      /\n3 hosts to change, 0 unchanged\. Waves: canary h1; wave 1 h2; wave 2 h3\.\n$/,
    );
    expect(await revisions()).toEqual(before);
  });

  it('prints the FleetPlan as JSON with ok, and takes the wave flags over the file', async () => {
    const run = await mvnet(['fleet', 'plan', '-f', file, '--output', 'json']);
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout);
    expect(plan).toMatchObject({ ok: true, refusals: [] });
    expect(plan.hosts.map((h: { name: string; changes: number }) => [h.name, h.changes])).toEqual([
      ['h1', 2],
      ['h2', 2],
      ['h3', 1],
    ]);
    expect(plan.hosts[0].steps[0]).toMatchObject({
      action: 'PLAN_ACTION_CREATE',
      kind: 'RESOURCE_KIND_NETWORK',
    });
    const waves = await mvnet(['fleet', 'plan', '-f', file, '--canary', '0', '--max-unavailable', '100%']);
    expect(waves.stdout).toMatch(/Waves: wave 0 h1, h2, h3\.\n$/);
  });

  it('saves the plan with --out and applies exactly it with --plan: every host Available, JSON', async () => {
    const saved = path.join(dir, 'plan.json');
    const plan = await mvnet(['fleet', 'plan', '-f', file, '--out', saved]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(
      new RegExp(`Saved the plan to ${saved}: mvnet fleet apply -f ${file} --plan ${saved}\n$`),
    );
    const before = await revisions();
    const revisionsSaved = (JSON.parse(fs.readFileSync(saved, 'utf8')) as { hosts: { revision: number }[] })
      .hosts;
    expect(revisionsSaved.map((h) => h.revision)).toEqual(before);

    const run = await mvnet(['fleet', 'apply', '-f', file, '--plan', saved, '--output', 'json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.ok).toBe(true);
    expect(
      result.hosts.map((h: { name: string; state: string; changes: number }) => [h.name, h.state, h.changes]),
    ).toEqual([
      ['h1', 'Available', 2],
      ['h2', 'Available', 2],
      ['h3', 'Available', 1],
    ]);
    expect(result.hosts[0]).toEqual({
      name: 'h1',
      address: agents[0].address,
      state: 'Available',
      revision: expect.any(Number),
      changes: 2,
      message: 'changed and confirmed',
    });
    // Piped, the progress is one plain line per event on stderr.
    // (Waves of one host: the events come in this order.)
    expect(run.stderr).toBe(
      [
        'h1    canary     Pending      wave 0',
        'h2    wave 1     Pending      wave 1',
        'h3    wave 2     Pending      wave 2',
        'h1    canary     Progressing  applying',
        'h1    canary     Available    changed and confirmed',
        'h2    wave 1     Progressing  applying',
        'h2    wave 1     Available    changed and confirmed',
        'h3    wave 2     Progressing  applying',
        'h3    wave 2     Available    changed and confirmed',
        '',
      ].join('\n'),
    );
    const endpoints = await Promise.all([0, 1].map((i) => withClient(i, (c) => c.listEndpoints('lan'))));
    expect(endpoints.map((e) => e.endpoints.map((x) => x.name))).toEqual([['c1'], ['c2']]);
    // Confirmed: no Apply awaits confirmation on any host.
    expect(
      await Promise.all(agents.map((_, i) => withClient(i, async (c) => (await c.getHost()).pendingApply))),
    ).toEqual([undefined, undefined, undefined]);
  });

  it('applies the file again as a table: every host matches it (exit 0)', async () => {
    const now = await revisions();
    const run = await mvnet(['fleet', 'apply', '-f', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        'HOST   STATE       REVISION   CHANGES   MESSAGE',
        `h1     Available   ${String(now[0]).padEnd(8)}   0         matches the file`,
        `h2     Available   ${String(now[1]).padEnd(8)}   0         matches the file`,
        `h3     Available   ${String(now[2]).padEnd(8)}   0         matches the file`,
        '',
      ].join('\n'),
    );
  });

  it('shows status: every host reachable at its revision, without drift; then one host drifted', async () => {
    const now = await revisions();
    const run = await mvnet(['fleet', 'status', '-f', file]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout.split('\n')[0]).toBe('HOST   REACHABLE   REVISION   DRIFT   PENDING   ERROR');
    expect(run.stdout.split('\n')[1]).toMatch(new RegExp(`^h1 {5}yes {9}${now[0]} +0 +- +-$`));
    await withClient(2, (c) => c.deleteNetwork('lan'));
    const json = JSON.parse((await mvnet(['fleet', 'status', '-f', file, '--output', 'json'])).stdout);
    expect(json.ok).toBe(true);
    expect(json.hosts.map((h: { name: string; drift: number }) => [h.name, h.drift])).toEqual([
      ['h1', 0],
      ['h2', 0],
      ['h3', 1],
    ]);
  });

  it('leaves a host changed since the saved plan alone, as Changed (exit 1)', async () => {
    const saved = path.join(dir, 'plan-stale.json');
    expect((await mvnet(['fleet', 'plan', '-f', file, '--out', saved])).code).toBe(0);
    // h3 lacks lan (status above), and changes behind the plan's back.
    await withClient(2, (c) =>
      c.createNetwork({
        name: 'side',
        parent: 'eth0',
        subnets: [Subnet.fromPartial({ cidr: '10.9.0.0/24', gateway: '10.9.0.1' })],
      }),
    );
    const run = await mvnet(['fleet', 'apply', '-f', file, '--plan', saved, '--output', 'json']);
    expect(run.code).toBe(1);
    const { ok, hosts } = JSON.parse(run.stdout);
    expect(ok).toBe(false);
    expect(hosts.map((h: { state: string }) => h.state)).toEqual(['Available', 'Available', 'Changed']);
    expect(hosts[2].message).toMatch(
      /^the host moved from revision \d+ to \d+ since it was planned: left alone$/,
    );
    const left = await withClient(2, (c) => c.listNetworks());
    expect(left.networks.map((n) => n.name)).toEqual(['side']);
    await withClient(2, (c) => c.deleteNetwork('side'));
  });
});

describe('mvnet fleet: refusals, bad files, Ctrl-C and watch', () => {
  it('refuses one static address on two hosts of one segment, naming both; nothing changes (exit 1)', async () => {
    const file = fleetFile(
      'dup.yaml',
      `networks:
  - {name: flat, parent: eth0, subnets: [{cidr: 192.168.60.0/24, gateway: 192.168.60.1}]}
endpoints:
  - {host: h1, name: c1, network: flat, netns: c1, ipv4Address: 192.168.60.5}
  - {host: h2, name: c2, network: flat, netns: c2, ipv4Address: 192.168.60.5}
`,
    );
    const before = await revisions();
    const plan = await mvnet(['fleet', 'plan', '-f', file]);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toMatch(
      /\nRefused, nothing will change \(\d+ problems?\):\n {2}h1, h2: [^\n]*192\.168\.60\.5/,
    );
    const apply = await mvnet(['fleet', 'apply', '-f', file]);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toMatch(/^Refused, nothing changed:\n {2}h1, h2: [^\n]*192\.168\.60\.5/);
    expect(apply.stdout).toMatch(
      /^h1 {5}Aborted {3}- {10}- {9}not started: the plan was refused: [^\n]*192\.168\.60\.5/m,
    );
    const json = await mvnet(['fleet', 'apply', '-f', file, '--output', 'json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      hosts: [{ state: 'Aborted' }, { state: 'Aborted' }, { state: 'Aborted' }],
    });
    expect(await revisions()).toEqual(before);
  });

  it('refuses a bad fleet file with every problem at its file:line (exit 2)', async () => {
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(
      file,
      'hosts:\n  - {name: h1}\n  - {name: "-x", address: h2:7443}\nrollout: {canary: 9}\n',
    );
    const run = await mvnet(['fleet', 'apply', '-f', file]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`^Error: ${file}: \\d+ errors in the fleet file:\n`));
    expect(run.stderr).toContain(`${file}:2:`);
    expect(run.stderr).toContain(`${file}:3:`);
    expect(run.stderr).toContain(`${file}:4:`);
  });

  it('refuses a saved plan of other hosts (exit 2)', async () => {
    const file = fleetFile('other.yaml', 'networks: []\n');
    const saved = path.join(dir, 'other-plan.json');
    fs.writeFileSync(saved, JSON.stringify({ ok: true, refusals: [], hosts: [] }));
    const run = await mvnet(['fleet', 'apply', '-f', file, '--plan', saved]);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toBe(
      `Error: ${saved}: hosts: the plan lacks h1, h2, h3 of the fleet file: plan again with fleet plan --out\n`,
    );
  });

  it('starts no host once interrupted, and says where each stands (exit 1)', async () => {
    const file = fleetFile(
      'more.yaml',
      LAN.replace('  - {host: h2,', '  - {host: h3, name: c3, network: lan, netns: c3}\n  - {host: h2,'),
    );
    const before = await revisions();
    const interrupt = new AbortController();
    interrupt.abort();
    const run = await mvnet(['fleet', 'apply', '-f', file], interrupt.signal);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Stopped: no host started after Ctrl-C; the hosts in flight finished.\n');
    expect(run.stdout).toMatch(/^h3 {5}Aborted /m);
    expect(await revisions()).toEqual(before);
  });

  it('watches every host, each line with its host, until interrupted (exit 0)', async () => {
    const file = fleetFile('watch.yaml', 'networks: []\n');
    const interrupt = new AbortController();
    const lines: string[] = [];
    const done = runCli(['fleet', 'watch', '-f', file, '--output', 'json'], {
      stdout: (s) => lines.push(...s.split('\n').filter((l) => l !== '')),
      stderr: () => undefined,
      env: {},
      signal: interrupt.signal,
    });
    const synced = () => lines.map((l) => JSON.parse(l)).filter((e) => e.type === 'EVENT_TYPE_SYNCED');
    await waitFor('a SYNCED event from every host', () => synced().length === 3);
    await withClient(0, (c) =>
      c.createNetwork({
        name: 'seen',
        parent: 'eth0',
        subnets: [Subnet.fromPartial({ cidr: '10.8.0.0/24', gateway: '10.8.0.1' })],
      }),
    );
    await waitFor('h1 reporting the new network', () =>
      lines.some((l) => {
        const e = JSON.parse(l);
        return e.host === 'h1' && e.type === 'EVENT_TYPE_ADDED' && e.network?.name === 'seen';
      }),
    );
    interrupt.abort();
    expect(await done).toBe(0);
    expect(
      synced()
        .map((e) => e.host)
        .sort(),
    ).toEqual(HOSTS);
    await withClient(0, (c) => c.deleteNetwork('seen'));

    const table: string[] = [];
    const again = new AbortController();
    const run = runCli(['fleet', 'watch', '-f', file], {
      stdout: (s) => table.push(s),
      stderr: () => undefined,
      env: {},
      signal: again.signal,
    });
    await waitFor('SYNCED lines', () => table.filter((l) => l.includes('SYNCED')).length === 3);
    again.abort();
    expect(await run).toBe(0);
    expect(table.find((l) => l.startsWith('h2  ') && l.includes('ADDED'))).toMatch(
      /^h2 {2}\d+ +ADDED +network +lan/,
    );
  });
});
