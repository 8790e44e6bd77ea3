/**
 * `mvnet health`, as the container image's HEALTHCHECK runs it: against an agent's health-only
 * listener (plaintext, no credentials) and its main address, against a health server that says
 * NOT_SERVING, for a service nobody serves, and with nothing listening.
 */
import { runMvnet } from '../support/runMvnet';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createServer, type Server } from 'nice-grpc';
import { HealthDefinition, HealthServiceImpl, HealthState } from 'nice-grpc-server-health';
import pino from 'pino';
import { MemoryDriver } from '../../agent/src/kernel/memory/MemoryDriver';
import { startAgent, type RunningAgent } from '../../agent/src/startAgent';

let agent: RunningAgent;
let stateDir: string;
let notServing: Server;
let notServingAddress: string;

const mvnet = (...argv: string[]) => runMvnet(argv);

/** A loopback port that was free a moment ago, and nothing listens on now. */
async function freedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-health-'));
  agent = await startAgent({
    listen: '127.0.0.1:0',
    healthListen: '127.0.0.1:0',
    stateDir,
    logger: pino({ level: 'silent' }),
    driver: new MemoryDriver({ links: [{ name: 'eth0', kind: '', mtu: 1500 }] }),
  });
  const state = HealthState();
  state.setStatus('unhealthy');
  notServing = createServer();
  notServing.add(HealthDefinition, HealthServiceImpl(state));
  notServingAddress = `127.0.0.1:${await notServing.listen('127.0.0.1:0')}`;
});

afterAll(async () => {
  await agent?.close();
  await notServing?.shutdown();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

describe('mvnet health', () => {
  it("exits 0 with SERVING on the agent's health listener, for the server and for AgentService", async () => {
    expect(await mvnet('--host', agent.healthAddress!, 'health')).toEqual({
      code: 0,
      stdout: 'SERVING\n',
      stderr: '',
    });
    expect(await mvnet('--host', agent.healthAddress!, 'health', 'mvnet.v1.AgentService')).toMatchObject({
      code: 0,
      stdout: 'SERVING\n',
    });
    expect(await mvnet('--host', agent.address, '--output', 'json', 'health')).toEqual({
      code: 0,
      stdout: '{\n  "status": "SERVING"\n}\n',
      stderr: '',
    });
  });

  it('exits 1 with NOT_SERVING when the server says so', async () => {
    expect(await mvnet('--host', notServingAddress, 'health')).toEqual({
      code: 1,
      stdout: 'NOT_SERVING\n',
      stderr: '',
    });
  });

  it('exits 1 with the reason for a service the agent does not serve, and when nothing listens', async () => {
    const unknown = await mvnet('--host', agent.healthAddress!, 'health', 'no.such.Service');
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toMatch(/NOT_FOUND/);
    const nobody = await mvnet('--host', `127.0.0.1:${await freedPort()}`, 'health');
    expect(nobody).toMatchObject({ code: 1, stdout: '' });
    expect(nobody.stderr).toMatch(/UNAVAILABLE/);
  });
});
