/**
 * The bounds and checks that only a real gRPC server shows: message sizes, streams per connection,
 * watchers per agent, requests that do not decode, and text checks on every RPC, over the wire.
 */
import * as grpc from '@grpc/grpc-js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ClientError, createChannel, createClient, Status, type Channel, type Client } from 'nice-grpc';
import pino from 'pino';
import { MAX_STREAMS_PER_CONNECTION } from '../../agent/src/domain/limits';
import { MemoryDriver } from '../../agent/src/kernel/memory/MemoryDriver';
import { startAgent, type AgentOptions, type RunningAgent } from '../../agent/src/startAgent';
import { AgentServiceDefinition } from '../../proto/gen/mvnet/v1/agent_service';
import { Network } from '../../proto/gen/mvnet/v1/network';
import { lengthField, mapEntry } from '../support/protoWire';

type AgentClient = Client<typeof AgentServiceDefinition>;

const subnet = { cidr: '10.0.0.0/24', gateway: '10.0.0.1', ipRange: '', auxAddresses: {} };
const network = (name: string, labels: Record<string, string> = {}) => ({
  name,
  parent: 'eth0',
  subnets: [subnet],
  labels,
});

/** An unprintable character anywhere in a status message: what the agent must never send back. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/u;

let dir: string;
let agent: RunningAgent;
let channel: Channel;
let client: AgentClient;
let driver: MemoryDriver;

async function start(options: Partial<AgentOptions> = {}): Promise<void> {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-bounds-'));
  driver = new MemoryDriver({ links: [{ name: 'eth0', mtu: 1500 }] });
  driver.addNetnsBehindBack({ name: 'c1' });
  agent = await startAgent({
    listen: '127.0.0.1:0',
    stateDir: dir,
    logger: pino({ level: 'silent' }),
    driver,
    ...options,
  });
  channel = createChannel(agent.address);
  client = createClient(AgentServiceDefinition, channel);
}

async function stop(): Promise<void> {
  channel?.close();
  await agent?.close(100);
  fs.rmSync(dir, { recursive: true, force: true });
}

/** The refusal of `run`, after checking that the state and the kernel did not change. */
async function refusal(run: () => Promise<unknown>): Promise<{ code: Status; details: string }> {
  const before = await client.listNetworks({});
  const endpoints = await client.listEndpoints({ network: '' });
  const links = await driver.listLinks();
  const err = await run().then(
    () => new Error('expected a refusal'),
    (e: unknown) => e,
  );
  // nice-grpc's ClientError, or grpc-js's ServiceError from a raw call.
  if (!(err instanceof ClientError) && typeof (err as { details?: unknown }).details !== 'string') throw err;
  const status = err as { code: Status; details: string };
  expect(await client.listNetworks({})).toEqual(before);
  expect(await client.listEndpoints({ network: '' })).toEqual(endpoints);
  expect(await driver.listLinks()).toEqual(links);
  expect(status.details).not.toMatch(UNPRINTABLE);
  expect(status.details.length).toBeLessThan(400);
  return status;
}

describe('transport bounds and request checks, over gRPC', () => {
  beforeAll(() => start());
  afterAll(() => stop());

  it('refuses a request over 4 MiB with RESOURCE_EXHAUSTED, before decoding it', async () => {
    const err = await refusal(() => client.getNetwork({ name: 'x'.repeat(5 * 1024 * 1024) }));
    expect(err.code).toBe(Status.RESOURCE_EXHAUSTED);
    // Just under the bound, the request is decoded and refused for what it says.
    const under = await refusal(() => client.getNetwork({ name: 'x'.repeat(1000 * 1000) }));
    expect(under.code).toBe(Status.INVALID_ARGUMENT);
    expect(under.details).toMatch(/^name: 1000000 bytes is too long: at most 1024/);
  });

  it.each([
    [
      'CreateNetwork',
      'network.labels[tier]',
      () => client.createNetwork({ network: network('n', { tier: 'a\u0000' }) }),
    ],
    [
      'CreateNetwork',
      'network.subnets[0].aux_addresses["n\\u001bas"]',
      () =>
        client.createNetwork({
          network: { ...network('n'), subnets: [{ ...subnet, auxAddresses: { 'n\u001bas': '10.0.0.5' } }] },
        }),
    ],
    [
      'CreateNetwork',
      'network.parent',
      () => client.createNetwork({ network: { ...network('n'), parent: 'eth0\u0085' } }),
    ],
    [
      'CreateEndpoint',
      'endpoint.name',
      () => client.createEndpoint({ endpoint: { name: 'c\u0007', network: 'n', netns: 'c1' } }),
    ],
    [
      'CreateEndpoint',
      'endpoint.netns',
      () => client.createEndpoint({ endpoint: { network: 'n', netns: 'c1\n' } }),
    ],
    ['GetNetwork', 'name', () => client.getNetwork({ name: '\u0000' })],
    ['DeleteNetwork', 'name', () => client.deleteNetwork({ name: 'n\u202e' })],
    ['GetEndpoint', 'network', () => client.getEndpoint({ network: 'n\u0000', name: 'c1' })],
    ['ListEndpoints', 'network', () => client.listEndpoints({ network: '\u001b[2J' })],
    ['DeleteEndpoint', 'name', () => client.deleteEndpoint({ network: 'n', name: 'c1\r' })],
    [
      'Apply',
      'spec.endpoints[0].ifname',
      () => client.apply({ spec: { endpoints: [{ ifname: 'eth\u0000' }] } }),
    ],
    ['ConfirmApply', 'apply_id', () => client.confirmApply({ applyId: '\u0000' })],
    ['Watch', 'network', () => client.watch({ network: 'n\u0000' })[Symbol.asyncIterator]().next()],
  ] as [string, string, () => Promise<unknown>][])(
    '%s refuses a control character in %s with INVALID_ARGUMENT',
    async (_rpc, field, run) => {
      const err = await refusal(run);
      expect(err.code).toBe(Status.INVALID_ARGUMENT);
      expect(err.details.startsWith(`${field}: `)).toBe(true);
    },
  );

  /** The status of a unary call whose request is `bytes` as they are. */
  function callRaw(method: string, bytes: Buffer): Promise<grpc.ServiceError> {
    const raw = new grpc.Client(agent.address, grpc.credentials.createInsecure());
    return new Promise<grpc.ServiceError>((resolve, reject) =>
      raw.makeUnaryRequest(
        `/mvnet.v1.AgentService/${method}`,
        (b: Buffer) => b,
        (b: Buffer) => b,
        bytes,
        (err) => (err ? resolve(err) : reject(new Error('expected a refusal'))),
      ),
    ).finally(() => raw.close());
  }

  it('refuses a __proto__ label sent on the wire (the decoder would drop it)', async () => {
    const wellFormed = Network.encode(Network.fromPartial(network('n', { tier: 'web' }))).finish();
    const bytes = lengthField(1, Buffer.concat([wellFormed, mapEntry(10, '__proto__', 'x')]));
    const err = await refusal(() => callRaw('CreateNetwork', bytes).then((e) => Promise.reject(e)));
    expect(err.code).toBe(Status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/^network\.labels\[__proto__\]: a reserved key/);
  });

  it('refuses a request that is not protobuf with INVALID_ARGUMENT, not INTERNAL', async () => {
    const status = await callRaw('GetNetwork', Buffer.from([0x0a, 0x7f, 0x01]));
    expect(status.code).toBe(Status.INVALID_ARGUMENT);
    expect(status.details).toMatch(/^request: not a valid protobuf message/);
  });

  it('answers a since_revision ahead of the host, however large, with OUT_OF_RANGE', async () => {
    const { revision } = await client.listNetworks({});
    for (const since of [revision + 1, 2 ** 60]) {
      const err = await refusal(() => client.watch({ sinceRevision: since })[Symbol.asyncIterator]().next());
      expect(err.code).toBe(Status.OUT_OF_RANGE);
    }
  });

  it(`runs ${MAX_STREAMS_PER_CONNECTION} calls at once on one connection; the next waits for a free one`, async () => {
    const abort = new AbortController();
    const streams = Array.from({ length: MAX_STREAMS_PER_CONNECTION + 1 }, () =>
      client.watch({}, { signal: abort.signal })[Symbol.asyncIterator](),
    );
    const firsts = streams.map((s) => s.next());
    try {
      await Promise.all(firsts.slice(0, MAX_STREAMS_PER_CONNECTION));
      const waiting = await Promise.race([
        firsts.at(-1),
        new Promise((r) => setTimeout(() => r('waiting'), 500)),
      ]);
      expect(waiting).toBe('waiting');
      await streams[0].return?.(undefined);
      expect((await firsts.at(-1))!.value).toMatchObject({ revision: expect.any(Number) });
    } finally {
      abort.abort();
      await Promise.allSettled(firsts);
    }
  });
});

describe('watchers per agent', () => {
  afterEach(() => stop());

  it('serves at most --max-watchers watch streams; one more is RESOURCE_EXHAUSTED', async () => {
    await start({ maxWatchers: 3 });
    const abort = new AbortController();
    const open = Array.from({ length: 3 }, () =>
      client.watch({}, { signal: abort.signal })[Symbol.asyncIterator](),
    );
    try {
      for (const stream of open) await stream.next();
      const extra = client.watch({})[Symbol.asyncIterator]();
      const err = await extra.next().catch((e: ClientError) => e);
      expect(err).toMatchObject({ code: Status.RESOURCE_EXHAUSTED });
      await open[0].return?.(undefined);
      await new Promise((r) => setTimeout(r, 100));
      expect((await client.watch({})[Symbol.asyncIterator]().next()).value).toBeDefined();
    } finally {
      abort.abort();
    }
  });
});
