/**
 * `mvnet apply` and `mvnet export` against a real agent on this kernel: a declared host is the same
 * state `network ls` and `inspect` show, a host built by hand exports to a spec that applies as "no
 * changes", and a commit-confirmed change shows in `host info` until it is cancelled.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../client/src/cli/runCli';
import { AgentClient, ErrorReason, MvnetError } from '../../client/src';
import { spawnAgent, type AgentProcess } from '../support/agentProcess';
import { ipIn, makeSwitchedHosts, type SwitchedHosts } from '../support/switchedHosts';

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

describe('mvnet apply and export against an agent on this kernel', () => {
  let lab: SwitchedHosts;
  let dir: string;
  let agent: AgentProcess;
  let c1: string;

  async function mvnet(args: string[], stdin?: string): Promise<CliRun> {
    const run = { stdout: '', stderr: '' };
    const code = await runCli(['--host', agent.address, ...args], {
      stdout: (s) => (run.stdout += s),
      stderr: (s) => (run.stderr += s),
      env: {},
      ...(stdin === undefined
        ? {}
        : {
            stdin: (async function* () {
              yield stdin;
            })(),
          }),
    });
    return { code, ...run };
  }

  function file(name: string, text: string): string {
    const where = path.join(dir, name);
    fs.writeFileSync(where, text);
    return where;
  }

  const hostYaml = (gateway: string) => `
networks:
  - name: lan
    parent: eth0
    mode: bridge
    subnets: [{cidr: 192.168.0.0/24, gateway: ${gateway}}]
    labels: {tier: web}
endpoints:
  - {name: c1, network: lan, netns: ${c1}, ipv4Address: 192.168.0.20}
`;

  beforeAll(async () => {
    lab = await makeSwitchedHosts('cliap', 1);
    c1 = await lab.container('c1');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-cliap-'));
    agent = await spawnAgent({ stateDir: path.join(dir, 'state'), netns: lab.hosts[0] });
  });

  afterAll(async () => {
    await agent?.stop();
    await lab?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a dry run prints the plan and changes nothing; the apply makes what network ls and inspect show', async () => {
    const spec = file('host.yaml', hostYaml('192.168.0.1'));
    const dry = await mvnet(['apply', '-f', spec, '--dry-run']);
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    expect(dry.stdout).toContain('+ network lan');
    expect(dry.stdout).toContain('+ endpoint c1 on lan');
    expect(dry.stdout).toContain('Plan: 2 to add, 0 to change, 0 to replace, 0 to delete, 0 unchanged.');
    expect((await mvnet(['network', 'ls'])).stdout).not.toContain('lan');

    const applied = await mvnet(['apply', '-f', spec]);
    expect(applied).toMatchObject({ code: 0, stderr: '' });
    expect(applied.stdout).toMatch(/Applied at revision 1\./);
    expect((await mvnet(['network', 'ls'])).stdout).toMatch(/\blan\b/);
    const [inspected] = JSON.parse((await mvnet(['network', 'inspect', 'lan'])).stdout) as {
      Labels: object;
    }[];
    expect(inspected.Labels).toEqual({ tier: 'web' }); // docker network inspect's shape
    expect(ipIn(c1, '-j', 'addr', 'show', 'dev', 'eth0')).toContain('192.168.0.20');
  });

  it('exports the host as a spec that applies back as no change', async () => {
    const exported = await mvnet(['export']);
    expect(exported).toMatchObject({ code: 0, stderr: '' });
    expect(exported.stdout).toContain('name: lan');
    const again = await mvnet(['apply', '-f', '-'], exported.stdout);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toContain('No changes: the host matches the spec.');
  });

  it('shows a commit-confirmed change in host info until it is cancelled', async () => {
    const moved = await mvnet([
      'apply',
      '-f',
      file('moved.yaml', hostYaml('192.168.0.254')),
      '--confirm-within',
      '10m',
    ]);
    expect(moved).toMatchObject({ code: 0, stderr: '' });
    expect(moved.stdout).toContain('-/+ network lan (subnets[0].gateway: 192.168.0.1 → 192.168.0.254)');
    const id = /mvnet apply confirm ([0-9a-f]{16})/.exec(moved.stdout)?.[1];
    expect(id).toBeDefined();
    expect((await mvnet(['host', 'info'])).stdout).toContain(id!);
    const refused = await mvnet(['network', 'rm', '-f', 'lan']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`apply ${id} awaits confirmation`);
    // An SDK caller gets the reason to act on, without reading the message.
    const sdk = new AgentClient({ host: agent.address });
    try {
      const err = await sdk.deleteNetwork('lan', { force: true }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MvnetError);
      expect((err as MvnetError).reason).toBe(ErrorReason.APPLY_AWAITS_CONFIRMATION);
      expect((err as MvnetError).errorInfo?.metadata.apply_id).toBe(id);
    } finally {
      sdk.close();
    }
    expect(await mvnet(['apply', 'cancel', id!])).toMatchObject({ code: 0, stderr: '' });
    expect((await mvnet(['host', 'info'])).stdout).not.toContain(id!);
    expect(ipIn(c1, 'route', 'show', 'default')).toContain('via 192.168.0.1');
  });

  it('lists every field the agent refuses, one per line', async () => {
    const bad = file('bad.yaml', hostYaml('10.9.9.9').replace('network: lan', 'network: nope'));
    const run = await mvnet(['apply', '-f', bad]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('spec.networks[0].subnets[0].gateway');
    expect(run.stderr).toContain('spec.endpoints[0].network');
  });

  it('an empty spec removes what Apply made', async () => {
    const run = await mvnet(['apply', '-f', file('empty.yaml', 'networks: []\n')]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('- network lan');
    expect((await mvnet(['network', 'ls'])).stdout).not.toMatch(/\blan\b/);
  });
});
