import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createChannel, createClient } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { HealthCheckResponse_ServingStatus } from '../../proto/gen/grpc/health/v1/health';
import { AgentClient } from '../../client/src';
import { spawnAgent } from '../support/agentProcess';
import { makeNetnsHost, type NetnsHost } from '../support/netnsHost';

const AGENT_MAIN = path.join(__dirname, '../../dist/agent/src/main.js');

describe('the mvnet-agent process', () => {
  let host: NetnsHost;
  let dir: string;

  beforeAll(async () => {
    host = await makeNetnsHost('proc');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-proc-'));
  });

  afterAll(async () => {
    await host.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves on a unix socket, answers health checks, and exits 0 on SIGTERM', async () => {
    const socket = path.join(dir, 'run', 'agent.sock');
    const agent = await spawnAgent({
      stateDir: path.join(dir, 'unix'),
      netns: host.ns,
      listen: `unix://${socket}`,
    });
    expect(agent.address).toBe(`unix://${socket}`);
    const channel = createChannel(`unix://${socket}`);
    const health = createClient(HealthDefinition, channel);
    expect((await health.check({ service: '' })).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    expect((await health.check({ service: 'mvnet.v1.AgentService' })).status).toBe(
      HealthCheckResponse_ServingStatus.SERVING,
    );
    const client = new AgentClient({ host: `unix://${socket}` });
    expect((await client.listNetworks()).networks).toEqual([]);
    client.close();
    channel.close();
    const r = spawnSync(
      process.execPath,
      [AGENT_MAIN, '--listen', `unix://${socket}`, '--state-dir', path.join(dir, 'other')],
      { encoding: 'utf8' },
    );
    expect(r.stderr).toContain('another server is listening there');
    expect(await agent.stop()).toBe(0);
  });

  it.each([['0.0.0.0:0'], ['[::]:0'], ['192.0.2.1:7443']])(
    'refuses to listen in plaintext on %s without --insecure',
    (listen) => {
      const r = spawnSync(
        process.execPath,
        [AGENT_MAIN, '--listen', listen, '--state-dir', path.join(dir, 'refused')],
        { encoding: 'utf8' },
      );
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(
        'without TLS the agent listens on loopback or a unix socket only; serve TLS with --tlscert and --tlskey',
      );
      expect(r.stderr).toContain('or pass --insecure to serve plaintext');
    },
  );

  it('listens on a non-loopback address with --insecure, warning at start', async () => {
    const agent = await spawnAgent({
      stateDir: path.join(dir, 'insecure'),
      netns: host.ns,
      listen: '0.0.0.0:0',
      extra: ['--insecure'],
    });
    expect(agent.logs.some((l) => l.level === 40 && String(l.msg).includes('without TLS'))).toBe(true);
    const client = new AgentClient({ host: agent.address.replace('0.0.0.0', '127.0.0.1') });
    expect((await client.getHost()).host.netns).toBe(host.ns);
    client.close();
    await agent.stop();
  });

  it('refuses a second agent on the same state dir, naming it', async () => {
    const stateDir = path.join(dir, 'shared');
    const first = await spawnAgent({ stateDir, netns: host.ns });
    const r = spawnSync(
      process.execPath,
      [AGENT_MAIN, '--listen', '127.0.0.1:0', '--state-dir', stateDir, '--netns', host.ns],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`state dir ${stateDir} is in use by another mvnet-agent`);
    await first.stop();
  });
});
