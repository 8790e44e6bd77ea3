/**
 * A state dir on a filesystem that fills up: a 2 MiB tmpfs mounted for the test (needs root) and
 * filled to the last byte. Mutations are refused with RESOURCE_EXHAUSTED and change nothing; reads go
 * on; an agent starts on the full disk and serves; once there is room again, changes are taken.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Status } from 'nice-grpc';
import pino from 'pino';
import { AgentClient, MvnetError, type NetworkSpec } from '../../client/src';
import { MemoryDriver } from '../../agent/src/kernel/memory/MemoryDriver';
import { startAgent } from '../../agent/src/startAgent';
import { spawnAgent, type AgentProcess } from '../support/agentProcess';
import { makeNetnsHost, type NetnsHost } from '../support/netnsHost';

const spec = (name: string, n: number): NetworkSpec => ({
  name,
  parent: 'eth0',
  subnets: [{ cidr: `10.9.${n}.0/24`, gateway: `10.9.${n}.1`, ipRange: '', auxAddresses: {} }],
});

/** Writes a file until the filesystem has no byte left. */
function fill(file: string): void {
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (let size = chunk.length; size >= 1;) {
      try {
        fs.writeSync(fd, chunk, 0, size);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
        size = Math.floor(size / 2);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** The refusal of `run`: RESOURCE_EXHAUSTED, and nothing changed in the kernel or the state. */
async function refusedFull(
  client: AgentClient,
  host: (() => unknown) | undefined,
  run: () => Promise<unknown>,
) {
  const before = { list: await client.listNetworks(), links: host?.() };
  const err = await run().then(
    () => new Error('expected a refusal'),
    (e: unknown) => e,
  );
  if (!(err instanceof MvnetError)) throw err;
  expect(err.code).toBe(Status.RESOURCE_EXHAUSTED);
  expect(err.details).toContain('state disk is full');
  expect(await client.listNetworks()).toEqual(before.list);
  expect(host?.()).toEqual(before.links);
}

describe('a full state disk', () => {
  let mount: string;

  beforeEach(() => {
    mount = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'mvnet-test-full', mount]);
  });
  afterEach(() => {
    execFileSync('umount', ['-l', mount]);
    fs.rmSync(mount, { recursive: true, force: true });
  });

  describe('with a real agent on a namespace host', () => {
    let host: NetnsHost;
    let agent: AgentProcess | undefined;
    beforeAll(async () => {
      host = await makeNetnsHost('full');
    });
    afterAll(async () => {
      await host?.cleanup();
    });
    afterEach(async () => {
      await agent?.stop();
      agent = undefined;
    });

    it('refuses mutations, serves reads, starts on it, and takes changes once there is room', async () => {
      const stateDir = path.join(mount, 'state');
      agent = await spawnAgent({ stateDir, netns: host.ns });
      let client = new AgentClient({ host: agent.address });
      await client.createNetwork(spec('kept', 1));
      fill(path.join(mount, 'filler'));

      await refusedFull(client, host.links, () => client.createNetwork(spec('other', 2)));
      await refusedFull(client, host.links, () => client.deleteNetwork('kept', { force: true }));
      expect((await client.getNetwork('kept')).name).toBe('kept');

      client.close();
      expect(await agent.stop()).toBe(0);
      agent = await spawnAgent({ stateDir, netns: host.ns });
      client = new AgentClient({ host: agent.address });
      expect((await client.listNetworks()).networks.map((n) => n.name)).toEqual(['kept']);
      await refusedFull(client, host.links, () => client.createNetwork(spec('other', 2)));

      fs.rmSync(path.join(mount, 'filler'));
      expect((await client.createNetwork(spec('other', 2))).network.name).toBe('other');
      client.close();
    });
  });

  it('refuses a change that SQLite cannot write (SQLITE_FULL) the same way, even without the check before it', async () => {
    const agent = await startAgent({
      listen: '127.0.0.1:0',
      stateDir: path.join(mount, 'state'),
      logger: pino({ level: 'silent' }),
      driver: new MemoryDriver({ links: [{ name: 'eth0', mtu: 1500 }] }),
      stateMinFreeBytes: 0,
    });
    const client = new AgentClient({ host: agent.address });
    try {
      await client.createNetwork(spec('kept', 1));
      fill(path.join(mount, 'filler'));
      // SQLite may still find room in pages it holds already: the disk is full when it says so.
      let refused: MvnetError | undefined;
      for (let n = 2; n < 40 && !refused; n++) {
        const before = await client.listNetworks();
        refused = await client.createNetwork(spec(`n${n}`, n)).then(
          () => undefined,
          (err: MvnetError) => err,
        );
        if (refused) expect(await client.listNetworks()).toEqual(before);
      }
      expect(refused?.code).toBe(Status.RESOURCE_EXHAUSTED);
      expect(refused?.details).toContain('SQLite could not write');
      expect((await client.listNetworks()).networks.length).toBeGreaterThan(0);
    } finally {
      client.close();
      await agent.close(100).catch(() => undefined);
    }
  });
});
