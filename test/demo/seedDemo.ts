#!/usr/bin/env node
/**
 * The README's main command: Docker's macvlan seed demo, driven through mvnet-agent and the mvnet CLI, on
 * this machine's kernel, in throwaway network namespaces (`mvdemo-*`): a "switch" with the physical
 * network's gateway 192.168.0.1, a host whose eth0 is plugged into it, an agent serving that host, and
 * two containers c1 and c2 (bare namespaces) on the seed's network, which ping each other and the
 * gateway. Fails when a ping does; leaves nothing behind, also when interrupted.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentProcess } from '../../tools/AgentProcess';

const PREFIX = 'mvdemo-';
const SWITCH = `${PREFIX}switch`;
const HOST = `${PREFIX}host1`;
const DIST = path.join(__dirname, '../..');
const CLI = path.join(DIST, 'client/src/cli/main.js');

/** The seed's containers: each a network namespace, with the address the seed gives it. */
const CONTAINERS = [
  { name: 'c1', netns: `${PREFIX}c1`, ip: '192.168.0.3' },
  { name: 'c2', netns: `${PREFIX}c2`, ip: '192.168.0.4' },
];

let agent: AgentProcess | undefined;
let workDir: string | undefined;

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

function say(text: string): void {
  process.stdout.write(`\n# ${text}\n`);
}

/**
 * Runs a command to its end, collecting its output. Asynchronously, so that a Ctrl-C is handled at once
 * (cleanup, exit) rather than after the demo's remaining steps, as it would be between spawnSync calls.
 */
function run(command: string, args: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output: status === 0 ? stdout : stdout + stderr }));
  });
}

/** Runs the mvnet CLI as a user would (`line` split on spaces), echoing it like a shell transcript. */
async function mvnet(host: string, line: string): Promise<void> {
  process.stdout.write(`$ mvnet ${line}\n`);
  const r = await run(process.execPath, [CLI, '--host', host, ...line.split(' ')]);
  if (r.status !== 0) throw new Error(`mvnet ${line} failed: ${r.output.trim()}`);
  process.stdout.write(r.output);
}

/** Pings from inside a container, shown as the seed's busybox shell shows it; a lost ping fails the demo. */
async function pingFrom(netns: string, address: string): Promise<void> {
  const args = ['-c', '3', '-i', '0.2', '-W', '1', address];
  process.stdout.write(`/ # ping ${args.join(' ')}\n`);
  const r = await run('ip', ['netns', 'exec', netns, 'ping', ...args]);
  process.stdout.write(r.output);
  if (r.status !== 0) throw new Error(`ping ${address} from ${netns} failed (exit status ${r.status})`);
}

/** Removes every demo namespace (also those of an earlier, interrupted run) and the agent. */
function cleanup(): void {
  // SIGKILL of its process group, at once; nobody waits for it to be reaped.
  void agent?.kill();
  const list = spawnSync('ip', ['-j', 'netns', 'list'], { encoding: 'utf8' }).stdout.trim();
  for (const { name } of (list ? JSON.parse(list) : []) as { name: string }[]) {
    if (name.startsWith(PREFIX)) spawnSync('ip', ['netns', 'del', name]);
  }
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
}

function buildLab(): void {
  say(
    `the lab: a switch namespace (${SWITCH}) with the physical network's gateway 192.168.0.1, and a host (${HOST}) whose eth0 is plugged into it`,
  );
  ip('netns', 'add', SWITCH);
  ip('netns', 'add', HOST);
  ip('-n', SWITCH, 'link', 'add', 'br0', 'type', 'bridge');
  ip('-n', SWITCH, 'addr', 'add', '192.168.0.1/24', 'dev', 'br0');
  ip('-n', SWITCH, 'link', 'set', 'br0', 'up');
  ip('-n', HOST, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'port1', 'netns', SWITCH);
  ip('-n', SWITCH, 'link', 'set', 'port1', 'master', 'br0', 'up');
  ip('-n', HOST, 'link', 'set', 'eth0', 'up');
}

/**
 * Starts mvnet-agent on the host namespace, on a unix socket, and resolves when it serves. Its log
 * (JSON) is not shown; what it writes that is not (an error on stderr) is.
 */
async function startAgent(socket: string, stateDir: string): Promise<void> {
  say(`mvnet-agent --netns ${HOST} --listen unix://${socket}`);
  agent = AgentProcess.spawn({
    args: ['--netns', HOST, '--listen', `unix://${socket}`, '--state-dir', stateDir],
    keepLogs: false,
    onLine: (line, entry) => {
      if (!entry) process.stderr.write(`${line}\n`);
    },
  });
  await agent.untilReady();
}

async function main(): Promise<void> {
  cleanup();
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-demo-'));
  buildLab();
  const socket = path.join(workDir, 'agent.sock');
  await startAgent(socket, path.join(workDir, 'state'));
  const host = `unix://${socket}`;
  say('Creation of MACVLAN network "mvnet" bound to eth0 on the host');
  await mvnet(
    host,
    'network create -d macvlan --subnet 192.168.0.0/24 --gateway 192.168.0.1 -o parent=eth0 mvnet',
  );
  say('Creation of containers on the "mvnet" network: a container is its network namespace');
  for (const c of CONTAINERS) {
    process.stdout.write(`$ ip netns add ${c.netns}\n`);
    ip('netns', 'add', c.netns);
    await mvnet(host, `network connect --ip ${c.ip} --name ${c.name} mvnet ${c.netns}`);
  }
  await mvnet(host, 'network inspect mvnet');
  say(`in c2 (ip netns exec ${CONTAINERS[1].netns}): c2 reaches c1 on the macvlan network`);
  await pingFrom(CONTAINERS[1].netns, CONTAINERS[0].ip);
  say(
    `in c1 (ip netns exec ${CONTAINERS[0].netns}): c1 reaches the physical network's gateway, on the switch`,
  );
  await pingFrom(CONTAINERS[0].netns, '192.168.0.1');
  say('Disconnecting the containers, then removing the network');
  for (const c of CONTAINERS) await mvnet(host, `network disconnect mvnet ${c.name}`);
  await mvnet(host, 'network rm mvnet');
  say('demo done: cleaning up');
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    cleanup();
    process.exit(130);
  });
}

main().then(
  () => {
    cleanup();
  },
  (err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    cleanup();
    process.exit(1);
  },
);
