/**
 * The agent's Prometheus metrics (--metrics-listen), scraped over HTTP from a real agent managing a
 * throwaway netns host: every metric the issue names, counted from what the test did (calls and their
 * codes, networks and endpoints by status, a watcher opened and cancelled, a link deleted behind the
 * agent's back and repaired, kernel steps), the HTTP side's refusals, and the flags that fail the start.
 * (Prometheus itself scraping the agent is prometheus.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { createChannel, createClient, Status, type Channel, type Client } from 'nice-grpc';
import { AgentServiceDefinition } from '../../proto/gen/mvnet/v1/agent_service';
import { spawnAgent, type AgentProcess } from '../support/agentProcess';
import { parsePromText, sampleValue, type Sample } from '../support/promText';
import { ipIn, makeSwitchedHosts, type SwitchedHosts } from '../support/switchedHosts';
import { waitFor } from '../support/waitFor';

const AGENT_MAIN = path.join(__dirname, '../../dist/agent/src/main.js');

/** GET (or another method) on the agent's metrics listener: status, headers and body. */
function request(
  address: string,
  urlPath: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port: Number(port), path: urlPath, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Prometheus metrics of a running agent', () => {
  let lab: SwitchedHosts;
  let dir: string;
  let agent: AgentProcess;
  let channel: Channel;
  let client: Client<typeof AgentServiceDefinition>;

  const scrape = async (): Promise<Sample[]> => {
    const res = await request(agent.metricsAddress!, '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain; version=0.0.4');
    return parsePromText(res.body);
  };

  beforeAll(async () => {
    lab = await makeSwitchedHosts('metrics', 1);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-metrics-'));
    agent = await spawnAgent({
      stateDir: dir,
      netns: lab.hosts[0],
      extra: ['--metrics-listen', '127.0.0.1:0'],
    });
    channel = createChannel(agent.address);
    client = createClient(AgentServiceDefinition, channel);
  });

  afterAll(async () => {
    channel?.close();
    await agent?.stop();
    await lab?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('logs the address it serves metrics on, on loopback', () => {
    expect(agent.metricsAddress).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('counts networks and endpoints by status, calls by method and code, and the revision', async () => {
    await client.createNetwork({
      network: {
        name: 'lan',
        parent: 'eth0',
        subnets: [{ cidr: '192.168.0.0/24', gateway: '192.168.0.1', ipRange: '', auxAddresses: {} }],
      },
    });
    const containers = [await lab.container('m1'), await lab.container('m2')];
    for (const [i, netns] of containers.entries())
      await client.createEndpoint({ endpoint: { network: 'lan', netns, name: `c${i}` } });
    await expect(
      client.createNetwork({ network: { name: 'Bad Name!', parent: 'eth0', subnets: [] } }),
    ).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
    const { revision } = await client.getHost({});

    const samples = await scrape();
    expect(sampleValue(samples, 'mvnet_networks', { status: 'ready' })).toBe(1);
    expect(sampleValue(samples, 'mvnet_networks', { status: 'degraded' })).toBe(0);
    expect(sampleValue(samples, 'mvnet_endpoints', { network: 'lan', status: 'ready' })).toBe(2);
    expect(sampleValue(samples, 'mvnet_endpoints', { network: 'lan', status: 'lost' })).toBe(0);
    const calls = (method: string, code: string) =>
      sampleValue(samples, 'mvnet_rpc_requests_total', { method: `AgentService/${method}`, code });
    expect(calls('CreateNetwork', 'OK')).toBe(1);
    expect(calls('CreateNetwork', 'INVALID_ARGUMENT')).toBe(1);
    expect(calls('CreateEndpoint', 'OK')).toBe(2);
    expect(
      sampleValue(samples, 'mvnet_rpc_duration_seconds_count', { method: 'AgentService/CreateEndpoint' }),
    ).toBe(2);
    expect(sampleValue(samples, 'mvnet_revision')).toBe(revision);
    const info = samples.find((s) => s.name === 'mvnet_agent_info');
    expect(info).toMatchObject({ value: 1, labels: { version: expect.stringMatching(/^\d+\.\d+\.\d+/) } });
    // Kernel steps, timed through the port.
    const steps = (op: string) => sampleValue(samples, 'mvnet_kernel_op_duration_seconds_count', { op });
    expect(steps('attachEndpoint')).toBe(2);
    expect(steps('probeCapabilities')).toBe(1);
    expect(steps('getLink')).toBeGreaterThan(0);
    // Process metrics, prom-client's defaults.
    expect(sampleValue(samples, 'process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    expect(sampleValue(samples, 'process_open_fds')).toBeGreaterThan(0);
  });

  it('never counts a method the agent does not have: its label values stay a fixed list', async () => {
    const raw = new grpc.Client(agent.address, grpc.credentials.createInsecure());
    const call = (path: string) =>
      new Promise<number>((resolve) =>
        raw.makeUnaryRequest(
          path,
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.alloc(0),
          (err) => resolve(err?.code ?? 0),
        ),
      );
    try {
      for (const path of ['/mvnet.v1.AgentService/Nope', `/x.Y/${'z'.repeat(200)}`, '/%2e%2e/Z'])
        expect(await call(path)).toBe(Status.UNIMPLEMENTED);
    } finally {
      raw.close();
    }
    const samples = await scrape();
    const methods = samples.filter((s) => s.name === 'mvnet_rpc_requests_total').map((s) => s.labels.method);
    expect(methods.filter((m) => !/^(AgentService|Health|ServerReflection)\/[A-Za-z]+$/.test(m))).toEqual([]);
    expect(methods).not.toContain('AgentService/Nope');
  });

  it('counts a watcher while it is open, the items it was sent, and why it ended', async () => {
    const watching = new AbortController();
    const stream = client.watch({ sinceRevision: 0 }, { signal: watching.signal })[Symbol.asyncIterator]();
    // Two endpoints, a network and SYNCED.
    for (let i = 0; i < 4; i++) await stream.next();
    let samples = await scrape();
    expect(sampleValue(samples, 'mvnet_watchers')).toBe(1);
    expect(sampleValue(samples, 'mvnet_watch_events_sent_total')).toBeGreaterThanOrEqual(4);
    watching.abort();
    await stream.next().catch(() => undefined);
    await waitFor('the watcher counted as ended', async () => {
      samples = await scrape();
      return sampleValue(samples, 'mvnet_watchers') === 0;
    });
    expect(sampleValue(samples, 'mvnet_watchers_ended_total', { reason: 'cancelled' })).toBe(1);
    expect(sampleValue(samples, 'mvnet_watchers_ended_total', { reason: 'too_slow' })).toBe(0);
    expect(
      sampleValue(samples, 'mvnet_rpc_requests_total', { method: 'AgentService/Watch', code: 'CANCELLED' }),
    ).toBe(1);
  });

  it('counts a change behind its back and the repair that follows', async () => {
    const c = await lab.container('m3');
    await client.createEndpoint({ endpoint: { network: 'lan', netns: c, name: 'c3' } });
    await new Promise((r) => setTimeout(r, 300)); // the agent follows the new netns after answering
    ipIn(c, 'link', 'del', 'eth0');
    let samples: Sample[] = [];
    await waitFor('a drift repair counted', async () => {
      samples = await scrape();
      return (sampleValue(samples, 'mvnet_drift_repairs_total') ?? 0) >= 1;
    });
    expect(sampleValue(samples, 'mvnet_drift_events_total')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'mvnet_endpoints', { network: 'lan', status: 'ready' })).toBe(3);
  });

  it('serves /metrics alone, to GET and HEAD, and bounds what a request may send', async () => {
    expect((await request(agent.metricsAddress!, '/')).status).toBe(404);
    expect((await request(agent.metricsAddress!, '/metrics/../debug')).status).toBe(404);
    const post = await request(agent.metricsAddress!, '/metrics', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const head = await request(agent.metricsAddress!, '/metrics', 'HEAD');
    expect(head).toMatchObject({ status: 200, body: '' });
    // Headers past the bound are refused, not buffered.
    const big = await request(agent.metricsAddress!, '/metrics', 'GET', { 'x-big': 'a'.repeat(20_000) });
    expect(big.status).toBe(431);
    // A connection that sends nothing holds nothing: the agent still answers others (and its API).
    const [host, port] = agent.metricsAddress!.split(':');
    const idle = net.connect(Number(port), host);
    await new Promise((resolve) => idle.once('connect', resolve));
    expect((await request(agent.metricsAddress!, '/metrics')).status).toBe(200);
    await client.getHost({});
    idle.destroy();
  });

  it('an agent without --metrics-listen serves no metrics', async () => {
    const plain = await spawnAgent({ stateDir: path.join(dir, 'plain'), netns: lab.hosts[0] });
    try {
      expect(plain.metricsAddress).toBeUndefined();
    } finally {
      await plain.stop();
    }
  });
});

describe('metrics flags that fail the start', () => {
  /** Runs the agent with these flags; it must exit 1 at once, saying why on stderr, having made nothing. */
  function refusal(...flags: string[]): string {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-metrics-refused-'));
    try {
      const r = spawnSync(
        process.execPath,
        [AGENT_MAIN, '--state-dir', stateDir, '--listen', '127.0.0.1:0', ...flags],
        {
          encoding: 'utf8',
          timeout: 20_000,
        },
      );
      expect({ status: r.status, signal: r.signal }).toEqual({ status: 1, signal: null });
      return r.stderr;
    } finally {
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  }

  it('refuses a network address without --metrics-insecure, naming the flag', () => {
    expect(refusal('--metrics-listen', '0.0.0.0:9464')).toContain(
      '--metrics-listen 0.0.0.0:9464: metrics are served on loopback only',
    );
  });

  it('refuses a unix socket, a malformed address and a port out of range', () => {
    expect(refusal('--metrics-listen', 'unix:///run/m.sock')).toContain('Prometheus scrapes HTTP over TCP');
    expect(refusal('--metrics-listen', 'localhost')).toContain('--metrics-listen localhost: use host:port');
    expect(refusal('--metrics-listen', '127.0.0.1:70000')).toContain('port 70000 is out of range');
  });

  it('refuses --metrics-insecure without --metrics-listen', () => {
    expect(refusal('--metrics-insecure')).toContain(
      '--metrics-insecure: it allows a non-loopback --metrics-listen',
    );
  });

  it('refuses a port already taken, naming the flag', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as net.AddressInfo;
    try {
      expect(refusal('--metrics-listen', `127.0.0.1:${port}`)).toContain(
        `--metrics-listen 127.0.0.1:${port}: listen EADDRINUSE`,
      );
    } finally {
      taken.close();
    }
  });
});
