#!/usr/bin/env node
/**
 * The README's main command: Docker's macvlan seed demo, driven through mvnet-agent and the mvnet CLI, on
 * this machine's kernel, in throwaway network namespaces (`mvdemo-*`): a "switch" with the physical
 * network's gateway 192.168.0.1, a host whose eth0 is plugged into it, and an agent serving that host.
 * Leaves nothing behind, also when interrupted.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const PREFIX = 'mvdemo-';
const SWITCH = `${PREFIX}switch`;
const HOST = `${PREFIX}host1`;
const DIST = path.join(__dirname, '../..');
const CLI = path.join(DIST, 'client/src/cli/main.js');
const AGENT = path.join(DIST, 'agent/src/main.js');

/** The seed's first command, as `docker network create` takes it. */
const CREATE_SEED_NETWORK = [
  'network',
  'create',
  '-d',
  'macvlan',
  '--subnet',
  '192.168.0.0/24',
  '--gateway',
  '192.168.0.1',
  '-o',
  'parent=eth0',
  'mvnet',
];

let agent: ChildProcess | undefined;
let workDir: string | undefined;

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

function say(text: string): void {
  process.stdout.write(`\n# ${text}\n`);
}

/** Runs the mvnet CLI as a user would, echoing the command like a shell transcript. */
function mvnet(host: string, ...args: string[]): string {
  process.stdout.write(`$ mvnet ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [CLI, '--host', host, ...args], { encoding: 'utf8' });
  process.stdout.write(r.stdout);
  if (r.status !== 0) throw new Error(`mvnet ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Removes every demo namespace (also those of an earlier, interrupted run) and the agent. */
function cleanup(): void {
  if (agent?.pid) {
    try {
      process.kill(-agent.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
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

/** Starts mvnet-agent on the host namespace, on a unix socket, and resolves when it serves. */
function startAgent(socket: string, stateDir: string): Promise<void> {
  say(`mvnet-agent --netns ${HOST} --listen unix://${socket}`);
  agent = spawn(
    process.execPath,
    [AGENT, '--netns', HOST, '--listen', `unix://${socket}`, '--state-dir', stateDir],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    agent!.once('exit', (code) => reject(new Error(`mvnet-agent exited with ${code}`)));
    readline.createInterface({ input: agent!.stdout! }).on('line', (line) => {
      if ((JSON.parse(line) as { msg?: string }).msg === 'serving') resolve();
    });
  });
}

async function main(): Promise<void> {
  cleanup();
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-demo-'));
  buildLab();
  const socket = path.join(workDir, 'agent.sock');
  await startAgent(socket, path.join(workDir, 'state'));
  const host = `unix://${socket}`;
  say('Creation of MACVLAN network "mvnet" bound to eth0 on the host');
  mvnet(host, ...CREATE_SEED_NETWORK);
  mvnet(host, 'network', 'ls');
  mvnet(host, 'network', 'inspect', 'mvnet');
  say('the same request again is a safe retry: it returns the network as it is');
  mvnet(host, ...CREATE_SEED_NETWORK);
  mvnet(host, 'network', 'rm', 'mvnet');
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
