/**
 * Proves that grpc.health.v1.Health/Watch works against a real mvnet-agent process (spawned from dist/,
 * managing a throwaway netns): a watcher gets the current status first, an unknown service gets
 * SERVICE_UNKNOWN on a stream that stays open (as the gRPC health-checking spec asks), and on SIGTERM
 * the agent tells open watchers NOT_SERVING, then ends every long-running stream (health Watch and
 * mvnet Watch) with UNAVAILABLE at once, rather than holding its shutdown until the grace period.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createChannel, createClient, Status, type Channel } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { HealthCheckResponse_ServingStatus } from '../../proto/gen/grpc/health/v1/health';
import { AgentClient } from '../../client/src/AgentClient';
import { AgentServiceDefinition } from '../../proto/gen/mvnet/v1/agent_service';
import { EventType } from '../../proto/gen/mvnet/v1/watch';
import { spawnAgent, type AgentProcess } from '../support/agentProcess';
import { makeNetnsHost, type NetnsHost } from '../support/netnsHost';

const AGENT_SERVICE = 'mvnet.v1.AgentService';

/** startAgent gives in-flight calls this long to finish on close() before it forces the server down. */
const SHUTDOWN_GRACE_MS = 2000;

describe('grpc.health.v1.Health/Watch on a running mvnet-agent', () => {
  let host: NetnsHost;
  let dir: string;
  const channels: Channel[] = [];
  const watchers: AbortController[] = [];
  const agents: AgentProcess[] = [];

  beforeAll(async () => {
    host = await makeNetnsHost('hwatch');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-hwatch-'));
  });

  afterEach(async () => {
    for (const watcher of watchers.splice(0)) watcher.abort();
    for (const channel of channels.splice(0)) channel.close();
    await Promise.all(agents.splice(0).map((agent) => agent.stop()));
  });

  afterAll(async () => {
    await host.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function startAgent(name: string) {
    const agent = await spawnAgent({ stateDir: path.join(dir, name), netns: host.ns });
    agents.push(agent);
    const channel = createChannel(agent.address);
    channels.push(channel);
    return { agent, health: createClient(HealthDefinition, channel) };
  }

  /** Opens a Watch stream; afterEach aborts it. */
  function watch(health: Awaited<ReturnType<typeof startAgent>>['health'], service: string) {
    const watcher = new AbortController();
    watchers.push(watcher);
    return health.watch({ service }, { signal: watcher.signal })[Symbol.asyncIterator]();
  }

  /** Resolves to 'still open' if the stream neither sends nor ends within `ms`. */
  function quietFor(ms: number, next: Promise<unknown>): Promise<unknown> {
    return Promise.race([next, new Promise((resolve) => setTimeout(() => resolve('still open'), ms))]);
  }

  describe('while the agent serves', () => {
    it("sends SERVING first for the whole server ('')", async () => {
      const { health } = await startAgent('whole');
      const stream = watch(health, '');
      expect(await stream.next()).toEqual({
        done: false,
        value: { status: HealthCheckResponse_ServingStatus.SERVING },
      });
    });

    it(`sends SERVING first for ${AGENT_SERVICE}`, async () => {
      const { health } = await startAgent('service');
      const stream = watch(health, AGENT_SERVICE);
      expect(await stream.next()).toEqual({
        done: false,
        value: { status: HealthCheckResponse_ServingStatus.SERVING },
      });
    });

    it("the SDK's checkHealth: true for the agent and its API, NOT_FOUND naming no other service", async () => {
      const { agent } = await startAgent('sdk');
      const client = new AgentClient({ host: agent.address, timeoutMs: 5000 });
      try {
        expect(await client.checkHealth()).toBe(true);
        expect(await client.checkHealth(AGENT_SERVICE)).toBe(true);
        await expect(client.checkHealth('no.such.Service')).rejects.toMatchObject({
          code: Status.NOT_FOUND,
          host: agent.address,
        });
      } finally {
        client.close();
      }
    });

    it('sends SERVICE_UNKNOWN for a service it does not serve, and keeps the stream open instead of failing', async () => {
      const { health } = await startAgent('unknown');
      const stream = watch(health, 'no.such.Service');
      expect(await stream.next()).toEqual({
        done: false,
        value: { status: HealthCheckResponse_ServingStatus.SERVICE_UNKNOWN },
      });
      const next = stream.next();
      expect(await quietFor(500, next)).toBe('still open');
      // Ending it is the client's call: aborting is what ends the stream, not an error from the agent.
      watchers.at(-1)!.abort();
      await expect(next).rejects.toMatchObject({ name: 'AbortError' });
    });
  });

  describe('when the agent is stopped with SIGTERM', () => {
    /** Stops the agent; the time it took to end `stream` (the next read's rejection) must be well under the grace period. */
    async function expectEndedAtOnce(stream: AsyncIterator<unknown>, stoppedAt: number) {
      await expect(stream.next()).rejects.toMatchObject({
        code: Status.UNAVAILABLE,
        details: expect.stringMatching(/^mvnet-agent is shutting down/),
      });
      expect(Date.now() - stoppedAt).toBeLessThan(SHUTDOWN_GRACE_MS);
    }

    it.each(['', AGENT_SERVICE])(
      "sends NOT_SERVING for '%s' to an open watcher, then ends its stream with UNAVAILABLE at once, and exits 0",
      async (service) => {
        const { agent, health } = await startAgent(`stop${service === '' ? 'whole' : 'service'}`);
        const stream = watch(health, service);
        expect((await stream.next()).value).toEqual({ status: HealthCheckResponse_ServingStatus.SERVING });
        const stoppedAt = Date.now();
        const exitCode = agent.stop();
        expect((await stream.next()).value).toEqual({
          status: HealthCheckResponse_ServingStatus.NOT_SERVING,
        });
        await expectEndedAtOnce(stream, stoppedAt);
        expect(await exitCode).toBe(0);
      },
    );

    it('ends an mvnet Watch stream with UNAVAILABLE at once too, so the watcher resumes elsewhere or later', async () => {
      const { agent } = await startAgent('stopwatch');
      const client = createClient(AgentServiceDefinition, channels.at(-1)!);
      const watcher = new AbortController();
      watchers.push(watcher);
      const stream = client.watch({ sinceRevision: 0 }, { signal: watcher.signal })[Symbol.asyncIterator]();
      expect((await stream.next()).value).toMatchObject({ type: EventType.EVENT_TYPE_SYNCED });
      const stoppedAt = Date.now();
      const exitCode = agent.stop();
      await expectEndedAtOnce(stream, stoppedAt);
      expect(await exitCode).toBe(0);
    });
  });
});
