import * as grpc from '@grpc/grpc-js';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createChannel, createClient } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { spawnAgent, type AgentProcess } from '../support/agentProcess';
import { fuzzRequest, METHODS, seeded, type Random } from '../support/fuzzInputs';
import { makeNetnsHost, type NetnsHost } from '../support/netnsHost';

/**
 * Fuzzing (issue 11 §3): hostile, mutated and random protobuf messages to every RPC, and random bytes
 * on the agent's HTTP/2 connections, for a bounded time with a fixed seed. The agent never dies, and
 * answers each call with a status; none is an internal error of its own (a bug), and it stays healthy.
 */
const SEED = 20261207;
const BUDGET_MS = 20_000;
const MAX_CASES = 4000;
const IN_FLIGHT = 16;

const identity = (b: Buffer) => b;

/** One call with raw bytes as its request; resolves with the status it ended with. */
function call(
  client: grpc.Client,
  method: (typeof METHODS)[number],
  bytes: Buffer,
): Promise<grpc.StatusObject> {
  const deadline = Date.now() + (method.streams ? 300 : 5000);
  return new Promise((resolve) => {
    if (method.streams) {
      const stream = client.makeServerStreamRequest(
        method.path,
        identity,
        identity,
        bytes,
        new grpc.Metadata(),
        {
          deadline,
        },
      );
      stream.on('data', () => undefined);
      stream.on('error', () => undefined);
      stream.on('status', resolve);
      return;
    }
    const unary = client.makeUnaryRequest(
      method.path,
      identity,
      identity,
      bytes,
      new grpc.Metadata(),
      { deadline },
      () => undefined,
    );
    unary.on('status', resolve);
  });
}

/** Random bytes on a fresh connection, after the HTTP/2 preface or not; resolves when the agent hangs up. */
function garbage(random: Random, port: number): Promise<void> {
  const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
  const noise = Buffer.from(
    Array.from({ length: Math.floor(random() * 2000) }, () => Math.floor(random() * 256)),
  );
  const bytes = random() < 0.5 ? Buffer.concat([preface, noise]) : noise;
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(bytes));
    const done = () => {
      socket.destroy();
      resolve();
    };
    socket.on('data', () => undefined);
    socket.on('error', done);
    socket.on('close', done);
    setTimeout(done, 1000).unref();
  });
}

describe('fuzzing the agent (fixed seed, bounded time)', () => {
  let host: NetnsHost;
  let dir: string;
  let agent: AgentProcess;
  let exited = false;

  const stillServes = async () => {
    const health = createClient(HealthDefinition, createChannel(agent.address));
    expect(await health.check({ service: 'mvnet.v1.AgentService' })).toEqual({ status: 1 });
    expect(exited).toBe(false);
  };

  beforeAll(async () => {
    host = await makeNetnsHost('fuzz');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-fuzz-'));
    agent = await spawnAgent({ stateDir: dir, netns: host.ns, extra: ['--log-level', 'info'] });
    void agent.ended.then(() => (exited = true));
  });

  afterAll(async () => {
    await agent?.stop();
    await host?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers thousands of hostile, mutated and random requests to every RPC, each with a status', async () => {
    const random = seeded(SEED);
    const client = new grpc.Client(agent.address, grpc.credentials.createInsecure());
    const until = Date.now() + BUDGET_MS;
    const codes = new Map<string, number>();
    const bugs: string[] = [];
    let cases = 0;
    while (Date.now() < until && cases < MAX_CASES) {
      const batch = Array.from({ length: IN_FLIGHT }, async () => {
        const method = METHODS[Math.floor(random() * METHODS.length)];
        const { kind, bytes } = fuzzRequest(random, method);
        const status = await call(client, method, bytes);
        const key = `${grpc.status[status.code]}`;
        codes.set(key, (codes.get(key) ?? 0) + 1);
        if (/internal error in mvnet-agent/.test(status.details))
          bugs.push(`${method.path} (${kind}): ${bytes.toString('hex')}`);
      });
      await Promise.all(batch);
      cases += IN_FLIGHT;
    }
    client.close();
    if (process.env.MVNET_FUZZ_REPORT) console.log(cases, Object.fromEntries(codes));
    expect(bugs).toEqual([]);
    expect(cases).toBeGreaterThanOrEqual(1000);
    // Most hostile requests are refused as such; some well-formed ones succeed.
    expect(codes.get('INVALID_ARGUMENT')).toBeGreaterThan(100);
    await stillServes();
  });

  it('survives random bytes on its HTTP/2 connections', async () => {
    const random = seeded(SEED + 1);
    const port = Number(agent.address.split(':').at(-1));
    for (let round = 0; round < 20; round++) {
      await Promise.all(Array.from({ length: 10 }, () => garbage(random, port)));
    }
    await stillServes();
  });
});
