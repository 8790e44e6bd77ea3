import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Status } from 'nice-grpc';
import { AgentClient } from '../../client/src/AgentClient';
import { runCli } from '../../client/src/cli/runCli';
import { MvnetError } from '../../client/src/errors';
import { Spec } from '../../proto/gen/mvnet/v1/apply';
import { EndpointState } from '../../proto/gen/mvnet/v1/endpoint';
import { MacvlanMode, NetworkState } from '../../proto/gen/mvnet/v1/network';
import { FakeApplyAgent } from '../support/fakeApplyAgent';

const CLI_MAIN = path.join(__dirname, '../../dist/client/src/cli/main.js');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The spec of most tests: two networks (enums in both forms), one endpoint. */
const HOST_YAML = `networks:
  - name: vlan30
    parent: eth0.30
    mode: bridge
    subnets: [{cidr: 10.30.0.0/24, gateway: 10.30.0.1}]
  - name: lan
    parent: eth0
    mode: MACVLAN_MODE_PRIVATE
    labels: {tier: web}
    subnets: [{cidr: 10.1.0.0/24, gateway: 10.1.0.1}]
endpoints:
  - {name: c1, network: vlan30, netns: c1, ipv4Address: 10.30.0.2}
`;

let agent: FakeApplyAgent;
let dir: string;

beforeEach(async () => {
  agent = await new FakeApplyAgent().start();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-cliapply-'));
});

afterEach(async () => {
  await agent.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes a file in the test's folder and returns its path. */
function file(name: string, text: string): string {
  const where = path.join(dir, name);
  fs.writeFileSync(where, text);
  return where;
}

/** Runs `mvnet --host <the fake> <args>` in-process, with `stdin` as standard input. */
async function mvnet(args: string[], stdin?: string[]): Promise<CliRun> {
  const run = { stdout: '', stderr: '' };
  const code = await runCli(['--host', agent.address, ...args], {
    stdout: (s) => (run.stdout += s),
    stderr: (s) => (run.stderr += s),
    env: {},
    ...(stdin
      ? {
          stdin: (async function* () {
            yield* stdin;
          })(),
        }
      : {}),
  });
  return { code, ...run };
}

describe('mvnet apply: the plan as a diff', () => {
  it('prints what a dry run would do, sends the spec decoded, and changes nothing', async () => {
    const run = await mvnet(['apply', '-f', file('host.yaml', HOST_YAML), '--dry-run']);
    expect(run).toEqual({
      code: 0,
      stdout:
        '+ network vlan30\n+ network lan\n+ endpoint c1 on vlan30\n\n' +
        'Plan: 3 to add, 0 to change, 0 to replace, 0 to delete, 0 unchanged.\n' +
        'Dry run: nothing changed.\n',
      stderr: '',
    });
    const [request] = agent.requests;
    expect(request).toMatchObject({ dryRun: true, expectedRevision: 0, probeGateways: false });
    expect(request.confirmWithin).toBeUndefined();
    expect(request.spec?.networks.map((n) => [n.name, n.mode, n.labels])).toEqual([
      ['vlan30', MacvlanMode.MACVLAN_MODE_BRIDGE, {}],
      ['lan', MacvlanMode.MACVLAN_MODE_PRIVATE, { tier: 'web' }],
    ]);
    expect(request.spec?.endpoints[0]).toMatchObject({ name: 'c1', netns: 'c1', ipv4Address: '10.30.0.2' });
    expect(agent.revision).toBe(0);
  });

  it('applies, then finds nothing to do the second time', async () => {
    const spec = file('host.yaml', HOST_YAML);
    expect((await mvnet(['apply', '-f', spec])).stdout).toMatch(/\nApplied at revision 1\.\n$/);
    expect(await mvnet(['apply', '-f', spec])).toEqual({
      code: 0,
      stdout: 'No changes: the host matches the spec.\nThe host stays at revision 1.\n',
      stderr: '',
    });
  });

  it('shows each action with its sign and the reason, unchanged objects only counted', async () => {
    await mvnet(['apply', '-f', file('host.yaml', HOST_YAML)]);
    const changed = `networks:
  - {name: vlan30, parent: eth0.31, mode: bridge, subnets: [{cidr: 10.30.0.0/24, gateway: 10.30.0.1}]}
  - {name: lan, parent: eth0, mode: private, labels: {tier: db}, subnets: [{cidr: 10.1.0.0/24, gateway: 10.1.0.1}]}
  - {name: iso, internal: true}
`;
    const run = await mvnet(['apply', '-f', file('changed.yaml', changed)]);
    expect(run.stdout).toBe(
      '-/+ network vlan30 (parent: eth0.30 → eth0.31)\n' +
        '~ network lan (labels: {"tier":"web"} → {"tier":"db"})\n' +
        '+ network iso\n' +
        '- endpoint c1 on vlan30\n\n' +
        'Plan: 1 to add, 1 to change, 1 to replace, 1 to delete, 0 unchanged.\n' +
        'Applied at revision 2.\n',
    );
  });

  it('prints the ApplyResponse with --output json', async () => {
    const run = await mvnet(['--output', 'json', 'apply', '-f', file('host.yaml', HOST_YAML)]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      plan: [
        { action: 'PLAN_ACTION_CREATE', kind: 'RESOURCE_KIND_NETWORK', name: 'vlan30' },
        { action: 'PLAN_ACTION_CREATE', kind: 'RESOURCE_KIND_NETWORK', name: 'lan' },
        { action: 'PLAN_ACTION_CREATE', kind: 'RESOURCE_KIND_ENDPOINT', name: 'c1', network: 'vlan30' },
      ],
      revision: 1,
    });
  });

  it('reads the spec from standard input with -f -', async () => {
    const run = await mvnet(['apply', '-f', '-', '--dry-run'], ['networks: [{name: a', '}]\n']);
    expect(run.stdout).toMatch(/^\+ network a\n/);
    expect(agent.requests[0].spec?.networks.map((n) => n.name)).toEqual(['a']);
  });
});

describe('mvnet apply: commit-confirmed', () => {
  it('sends the window and the probes, shows the pending apply in host info, and confirms it', async () => {
    await mvnet(['apply', '-f', file('host.yaml', HOST_YAML)]);
    const run = await mvnet([
      'apply',
      '-f',
      file('one.yaml', 'networks: [{name: lan}]'),
      '--confirm-within',
      '1m30s',
      '--probe-gateways',
      '--expected-revision',
      '1',
    ]);
    expect(run.stdout).toMatch(
      /\nApplied at revision 2\.\nAwaiting confirmation: mvnet apply confirm apply-1 within 1m30s, or it rolls back\.\n$/,
    );
    const retry = await mvnet([
      'apply',
      '-f',
      file('one.yaml', 'networks: [{name: lan}]'),
      '--confirm-within',
      '10s',
    ]);
    expect(retry.stdout).toBe(
      'No changes: the host matches the spec.\n' +
        'The host stays at revision 2: the apply awaiting confirmation made it.\n' +
        'Awaiting confirmation: mvnet apply confirm apply-1 before its deadline (mvnet host info), or it rolls back.\n',
    );
    expect(agent.requests[1]).toMatchObject({
      confirmWithin: { seconds: 90, nanos: 0 },
      probeGateways: true,
      expectedRevision: 1,
    });
    const info = await mvnet(['host', 'info']);
    expect(info.stdout).toMatch(
      /\nPending apply: +apply-1 \(revision 2\), rolls back at \d{4}-\d\d-\d\dT[\d:.]+Z \(in 1m\d+s\) unless confirmed: mvnet apply confirm apply-1\n/,
    );
    const json = JSON.parse((await mvnet(['--output', 'json', 'host', 'info'])).stdout);
    expect(json).toMatchObject({ hostname: 'fake', pendingApply: { applyId: 'apply-1', revision: 2 } });
    expect(new Date(json.pendingApply.deadline).getTime()).toBeGreaterThan(Date.now());

    expect(await mvnet(['apply', 'confirm', 'apply-1'])).toEqual({
      code: 0,
      stdout: 'Confirmed: the host stays at revision 2.\n',
      stderr: '',
    });
    expect((await mvnet(['host', 'info'])).stdout).not.toMatch(/Pending apply/);
    expect(agent.networks.map((n) => n.name)).toEqual(['lan']);
  });

  it('cancels a pending apply, which rolls back', async () => {
    await mvnet(['apply', '-f', file('host.yaml', HOST_YAML)]);
    await mvnet(['apply', '-f', file('one.yaml', 'networks: [{name: lan}]'), '--confirm-within', '10s']);
    expect(await mvnet(['--output', 'json', 'apply', 'cancel', 'apply-1'])).toEqual({
      code: 0,
      stdout: '{\n  "revision": 3\n}\n',
      stderr: '',
    });
    expect(agent.networks.map((n) => n.name)).toEqual(['vlan30', 'lan']);
    expect(await mvnet(['apply', 'confirm', 'apply-1'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: no pending apply apply-1 (NOT_FOUND)\n',
    });
  });
});

describe('mvnet apply: refusals', () => {
  it("lists the agent's field violations, one per line, escaped", async () => {
    agent.refuseNext = {
      code: Status.INVALID_ARGUMENT,
      message: '2 problems in the spec: spec.networks[1].subnets[0].gateway: ...',
      violations: [
        { field: 'spec.networks[1].subnets[0].gateway', description: '10.2.0.1 is outside 10.1.0.0/24' },
        { field: 'spec.networks[0].vlan_id', description: '5000 is not a VLAN id\n\u001b[2J(1 to 4094)' },
      ],
    };
    expect(await mvnet(['apply', '-f', file('host.yaml', HOST_YAML)])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'Error: the agent found 2 problems (INVALID_ARGUMENT):\n' +
        '  spec.networks[1].subnets[0].gateway: 10.2.0.1 is outside 10.1.0.0/24\n' +
        '  spec.networks[0].vlan_id: 5000 is not a VLAN id\\u000a\\u001b[2J(1 to 4094)\n',
    });
  });

  it('gives SDK callers the violations on MvnetError, and none when the agent sent none', async () => {
    const violations = [{ field: 'spec.endpoints[0].netns', description: 'no such netns' }];
    agent.refuseNext = { code: Status.INVALID_ARGUMENT, message: '1 problem in the spec', violations };
    const client = new AgentClient({ host: agent.address });
    try {
      const refused = await client.apply({ networks: [{ name: 'a' }] }).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(MvnetError);
      expect(refused).toMatchObject({ code: Status.INVALID_ARGUMENT, fieldViolations: violations });
      const stale = await client.apply({}, { expectedRevision: 7 }).catch((err: unknown) => err);
      expect(stale).toMatchObject({
        code: Status.ABORTED,
        details: 'expected revision 7, the host is at 0',
        fieldViolations: [],
      });
    } finally {
      client.close();
    }
  });

  it('reports a stale --expected-revision as the agent words it', async () => {
    expect(await mvnet(['apply', '-f', file('host.yaml', HOST_YAML), '--expected-revision', '4'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: expected revision 4, the host is at 0 (ABORTED)\n',
    });
  });

  it('refuses a bad file before any call, every problem with its path and line', async () => {
    const bad = file(
      'bad.yaml',
      'networks:\n  - name: a\n    vlanId: ten\n    mode: bridged\nendpoints: {}\n',
    );
    expect(await mvnet(['apply', '-f', bad])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        `Error: ${bad}: 3 errors in the spec:\n` +
        `  ${bad}:3:13: networks[0].vlanId: expected a whole number, got the text "ten"\n` +
        `  ${bad}:4:11: networks[0].mode: expected bridge, private, vepa or passthru, got the text "bridged"\n` +
        `  ${bad}:5:12: endpoints: expected a list, got a mapping\n`,
    });
    const json = file('bad.json', '{\n  "networks": [{"name": "a", "mtu": "big"}]\n}\n');
    expect((await mvnet(['apply', '-f', json])).stderr).toBe(
      `Error: ${json}: 1 error in the spec:\n  ${json}:2:37: networks[0].mtu: expected a whole number, got the text "big"\n`,
    );
    const missing = path.join(dir, 'missing.yaml');
    expect(await mvnet(['apply', '-f', missing])).toEqual({
      code: 2,
      stdout: '',
      stderr: `Error: ${missing}: no such file (ENOENT)\n`,
    });
    expect(agent.requests).toEqual([]);
  });

  it.each([
    [['--confirm-within', '2h'], '--confirm-within: 2h is outside 1s..1h'],
    [
      ['--confirm-within', '90'],
      '--confirm-within: expected a duration such as 90s, 2m, 1h or 1m30s, not "90"',
    ],
    [['--probe-gateways'], '--probe-gateways needs --confirm-within: a failed probe rolls the change back'],
    [['--expected-revision', 'x1'], '--expected-revision: expected a revision (a whole number), not "x1"'],
    [
      ['--expected-revision', '0'],
      '--expected-revision 0: revisions start at 1; leave the flag out to apply at any',
    ],
  ])('refuses %j before any call', async (flags, message) => {
    const run = await mvnet(['apply', '-f', file('host.yaml', HOST_YAML), ...flags]);
    expect(run).toEqual({ code: 2, stdout: '', stderr: `Error: ${message}\n` });
    expect(agent.requests).toEqual([]);
  });

  it('refuses apply without -f, and --output yaml anywhere but export', async () => {
    expect((await mvnet(['apply'])).stderr).toBe(
      'Error: apply: give the spec with -f FILE (or -f - for standard input)\n',
    );
    expect(await mvnet(['--output', 'yaml', 'apply', '-f', file('host.yaml', HOST_YAML)])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'Error: --output yaml: only mvnet export writes YAML; use table or json\n',
    });
    expect(agent.requests).toEqual([]);
  });
});

describe('mvnet export', () => {
  beforeEach(() => {
    const status = { state: NetworkState.NETWORK_STATE_READY, revision: 6 };
    agent.revision = 7;
    agent.networks = Spec.fromPartial({
      networks: [
        {
          name: 'vlan10',
          parent: 'eth0.10',
          vlanId: 10,
          mode: MacvlanMode.MACVLAN_MODE_VEPA,
          subnets: [
            { cidr: '192.168.10.0/24', gateway: '192.168.10.1', auxAddresses: { nas: '192.168.10.5' } },
          ],
          labels: { tier: 'web', on: 'yes' },
          status,
        },
        { name: 'iso', internal: true, subnets: [{ cidr: '172.30.0.0/24', gateway: '172.30.0.1' }], status },
      ],
    }).networks;
    const ready = { state: EndpointState.ENDPOINT_STATE_READY, revision: 7 };
    agent.endpoints = Spec.fromPartial({
      endpoints: [
        {
          name: 'k8s-pod',
          network: 'vlan10',
          netns: 'pid:99',
          labels: { 'mvnet.io/managed-by': 'cni' },
          status: ready,
        },
        {
          name: 'c1',
          network: 'vlan10',
          netns: 'c1',
          ifname: 'eth0',
          ipv4Address: '192.168.10.2',
          macAddress: '02:42:c0:a8:0a:02',
          labels: { 'mvnet.io/managed-by': 'apply' },
          status: ready,
        },
      ],
    }).endpoints;
  });

  it("writes the host's state as a spec file: YAML, short enums, no status, no defaults", async () => {
    expect(await mvnet(['export'])).toEqual({
      code: 0,
      stdout: `# mvnet export of ${agent.address} at revision 7

networks:
  - name: iso
    subnets:
      - cidr: 172.30.0.0/24
        gateway: 172.30.0.1
    internal: true
  - name: vlan10
    parent: eth0.10
    vlanId: 10
    mode: vepa
    subnets:
      - cidr: 192.168.10.0/24
        gateway: 192.168.10.1
        auxAddresses:
          nas: 192.168.10.5
    labels:
      tier: web
      "on": "yes"
endpoints:
  - name: c1
    network: vlan10
    netns: c1
    ifname: eth0
    ipv4Address: 192.168.10.2
    macAddress: 02:42:c0:a8:0a:02
    labels:
      mvnet.io/managed-by: apply
`,
      stderr: "Left out 1 endpoint labelled mvnet.io/managed-by other than apply (outside Apply's scope).\n",
    });
  });

  it.each([['yaml'], ['json']])(
    'round-trips in %s: apply takes the export back unchanged',
    async (format) => {
      const exported = await mvnet(['--output', format, 'export']);
      expect(exported.code).toBe(0);
      const run = await mvnet(['apply', '-f', file(`h1.${format}`, exported.stdout)]);
      expect(run).toEqual({
        code: 0,
        stdout: 'No changes: the host matches the spec.\nThe host stays at revision 7.\n',
        stderr: '',
      });
      const inScope = agent.endpoints.filter((e) => e.name !== 'k8s-pod');
      const withoutStatus = <T>(objects: T[]) => objects.map((o) => ({ ...o, status: undefined }));
      expect(agent.requests[0].spec).toEqual({
        networks: withoutStatus([...agent.networks].reverse()),
        endpoints: withoutStatus(inScope),
      });
    },
  );
});

describe('mvnet as a process', () => {
  it('applies a spec piped to -f -', async () => {
    const child = spawn(
      process.execPath,
      [CLI_MAIN, '--host', agent.address, 'apply', '-f', '-', '--dry-run'],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdin.end(HOST_YAML);
    expect({ code: await exited, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^\+ network vlan30\n\+ network lan\n\+ endpoint c1 on vlan30\n/);
    expect(agent.requests).toHaveLength(1);
  });
});
