/**
 * `mvnet fleet --hosts-from-pods`, the real CLI (dist/, as a process) against three real agents, each
 * on a host netns whose eth0 is on one switch: the pod list is what `kubectl get pods -o json` prints
 * for the DaemonSet's pods, with each agent's loopback address as the pod IP (one of them IPv6, as a
 * dual-stack or IPv6 cluster gives it) and its port as the container port named grpc, plus a pending
 * pod. The rollout reaches every agent under its node's name, the pending pod is left out with a
 * warning, and the endpoint named after a node lands on that node's agent.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentClient } from '../../client/src';
import { spawnAgent, type AgentProcess } from '../support/agentProcess';
import { agentPod, podList } from '../support/agentPods';
import { makeSwitchedHosts, type SwitchedHosts } from '../support/switchedHosts';

const CLI_MAIN = path.join(__dirname, '../../dist/client/src/cli/main.js');
const NODES = ['node-a', 'node-b', 'node-c'];

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/.../main.js <args>` with `stdin` on its standard input. */
async function mvnet(args: string[], stdin: string): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI_MAIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const run = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk) => (run.stdout += String(chunk)));
  child.stderr.on('data', (chunk) => (run.stderr += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stdin.end(stdin);
  return { code: await exited, ...run };
}

/** The host and port of an agent's `serving` address (127.0.0.1:PORT or [::1]:PORT). */
function hostAndPort(address: string): { ip: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
  if (!match) throw new Error(`not host:port: ${address}`);
  return { ip: match[1], port: Number(match[2]) };
}

describe('mvnet fleet --hosts-from-pods against three agents', () => {
  let lab: SwitchedHosts;
  let dir: string;
  let container: string;
  const agents: AgentProcess[] = [];

  beforeAll(async () => {
    lab = await makeSwitchedHosts('kpd', NODES.length);
    container = await lab.container('kpdc');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-fleetpods-'));
    agents.push(
      ...(await Promise.all(
        lab.hosts.map((host, i) =>
          spawnAgent({
            stateDir: path.join(dir, NODES[i]),
            netns: host,
            listen: i === 1 ? '[::1]:0' : '127.0.0.1:0',
          }),
        ),
      )),
    );
  });

  afterAll(async () => {
    for (const agent of agents) await agent.stop();
    await lab?.cleanup();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const networksOn = async (i: number) => {
    const client = new AgentClient({ host: agents[i].address });
    try {
      const networks = (await client.listNetworks()).networks.map((n) => n.name);
      const endpoints = (await client.listEndpoints('')).endpoints.map((e) => e.name);
      return { networks, endpoints };
    } finally {
      client.close();
    }
  };

  it("rolls a fleet file out to the pods' nodes, the pods read from standard input", async () => {
    // As kubectl lists them: by pod name, which is not node order; the pending pod has no node yet.
    const pods = podList([
      ...agents.map((agent, i) => {
        const { ip, port } = hostAndPort(agent.address);
        return agentPod({ name: `mvnet-agent-${'zyx'[i]}`, node: NODES[i], ip, grpcPort: port });
      }),
      agentPod({ name: 'mvnet-agent-new', phase: 'Pending' }),
    ]);
    const file = path.join(dir, 'fleet.yaml');
    fs.writeFileSync(
      file,
      [
        'networks:',
        '  - name: lan',
        '    parent: eth0',
        '    subnets: [{cidr: 192.168.0.0/24, gateway: 192.168.0.1, ipRangePerHost: 28}]',
        'endpoints:',
        `  - {host: node-b, name: web, network: lan, netns: ${container}}`,
        'rollout: {canary: 1, maxUnavailable: 2, confirmWithin: 30s}',
        '',
      ].join('\n'),
    );

    const applied = await mvnet(
      ['--output', 'json', 'fleet', 'apply', '-f', file, '--hosts-from-pods', '-'],
      JSON.stringify(pods),
    );
    expect(applied.code).toBe(0);
    expect(applied.stderr).toContain(
      'Warning: --hosts-from-pods: left out pod "mvnet-agent-new": "Pending", not Running\n',
    );
    // Every host under its node's name, at its pod's address (IPv6 in brackets), in node order.
    const outcome = JSON.parse(applied.stdout) as {
      hosts: { name: string; address: string; state: string }[];
    };
    expect(outcome.hosts.map((h) => [h.name, h.address, h.state])).toEqual(
      NODES.map((node, i) => [node, agents[i].address, 'Available']),
    );
    expect(agents[1].address).toMatch(/^\[::1\]:\d+$/);
    expect(await Promise.all(agents.map((_, i) => networksOn(i)))).toEqual([
      { networks: ['lan'], endpoints: [] },
      { networks: ['lan'], endpoints: ['web'] },
      { networks: ['lan'], endpoints: [] },
    ]);

    // The same pods from a file, the fleet file from standard input: every host is as the file says.
    const podsFile = path.join(dir, 'pods.json');
    fs.writeFileSync(podsFile, JSON.stringify(pods));
    const status = await mvnet(
      ['--output', 'json', 'fleet', 'status', '-f', '-', '--hosts-from-pods', podsFile],
      fs.readFileSync(file, 'utf8'),
    );
    expect(status.code).toBe(0);
    const hosts = (JSON.parse(status.stdout) as { hosts: { name: string; address: string; drift: number }[] })
      .hosts;
    expect(hosts.map((h) => [h.name, h.address, h.drift])).toEqual(
      NODES.map((node, i) => [node, agents[i].address, 0]),
    );
  });
});
