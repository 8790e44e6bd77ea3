import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ExhaustedError, StorageFullError } from '../../agent/src/domain/errors';
import { StorageGuard } from '../../agent/src/store/StorageGuard';
import { Store } from '../../agent/src/store/Store';
import {
  endpointInput,
  makeMemoryHost,
  networkInput,
  subnet24,
  type MemoryHost,
} from '../support/memoryHost';

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('the state dir and its files', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-modes-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('makes a new state dir 0700 and state.db 0600, whatever the umask', () => {
    const old = process.umask(0o000);
    try {
      const dir = path.join(root, 'new', 'state');
      Store.open(dir).close();
      expect(mode(dir)).toBe(0o700);
      expect(mode(path.join(dir, 'state.db'))).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });

  it('narrows an existing dir and files that are wider, at start', () => {
    const dir = path.join(root, 'old');
    Store.open(dir).close();
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(path.join(dir, 'state.db'), 0o644);
    fs.writeFileSync(path.join(dir, 'state.db-wal'), '', { mode: 0o666 });
    fs.chmodSync(path.join(dir, 'state.db-wal'), 0o666);
    Store.open(dir).close();
    expect(mode(dir)).toBe(0o700);
    expect(mode(path.join(dir, 'state.db'))).toBe(0o600);
    if (fs.existsSync(path.join(dir, 'state.db-wal')))
      expect(mode(path.join(dir, 'state.db-wal'))).toBe(0o600);
  });
});

describe('StorageGuard', () => {
  it("turns SQLite's SQLITE_FULL into a StorageFullError, and lets other errors through", () => {
    const guard = new StorageGuard(os.tmpdir(), 0);
    const full = () =>
      guard.write(() => {
        throw new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
      });
    expect(full).toThrow(StorageFullError);
    expect(full).toThrow(/state disk is full/);
    const other = () =>
      guard.write(() => {
        throw new Database.SqliteError('constraint failed', 'SQLITE_CONSTRAINT');
      });
    expect(other).toThrow(Database.SqliteError);
  });

  it('refuses a change when the disk has less room than it may need', () => {
    expect(() => new StorageGuard(os.tmpdir(), Number.MAX_SAFE_INTEGER).checkRoom()).toThrow(
      StorageFullError,
    );
    expect(() => new StorageGuard(os.tmpdir(), 1).checkRoom()).not.toThrow();
  });
});

describe('a full state disk', () => {
  let host: MemoryHost;
  let full: MemoryHost;

  beforeEach(async () => {
    host = await makeMemoryHost();
    host.driver.addNetnsBehindBack({ name: 'c1' });
    await host.networks.createNetwork(networkInput({ name: 'a', parent: 'eth0', subnets: subnet24(1) }));
    await host.endpoints.createEndpoint(endpointInput({ network: 'a' }));
    // The agent starts again on a disk that has filled up: it starts (restore writes nothing it needs).
    full = await host.restart({ minFreeBytes: Number.MAX_SAFE_INTEGER });
  });
  afterEach(() => full.close());

  /** A refused mutation: RESOURCE_EXHAUSTED (an ExhaustedError), nothing changed in kernel or state. */
  async function refused(run: () => Promise<unknown>): Promise<void> {
    const before = { links: await full.driver.listLinks(), revision: full.store.revision() };
    const changes = full.driver.changes.length;
    await expect(run()).rejects.toThrow(StorageFullError);
    await expect(run()).rejects.toThrow(ExhaustedError);
    expect(await full.driver.listLinks()).toEqual(before.links);
    expect(full.store.revision()).toBe(before.revision);
    expect(full.driver.changes.length).toBe(changes);
  }

  it('refuses every mutation with RESOURCE_EXHAUSTED, before any work', async () => {
    full.driver.addNetnsBehindBack({ name: 'c2' });
    await refused(() =>
      full.networks.createNetwork(networkInput({ name: 'b', parent: 'eth0', subnets: subnet24(2) })),
    );
    await refused(() => full.networks.deleteNetwork('a', true));
    await refused(() => full.endpoints.createEndpoint(endpointInput({ network: 'a', netns: 'c2' })));
    await refused(() => full.endpoints.deleteEndpoint('a', 'c1'));
  });

  it('serves reads, with what it observes that it cannot record', async () => {
    const revision = full.store.revision();
    full.driver.setLinkDownBehindBack('eth0');
    full.driver.removeNetnsBehindBack({ name: 'c1' });
    const { network } = await full.networks.getNetwork('a');
    expect(network.status.state).toBe('degraded');
    const { endpoints } = await full.endpoints.listEndpoints('a');
    expect(endpoints.map((e) => e.status.state)).toEqual(['lost']);
    expect((await full.networks.listNetworks()).networks.map((n) => n.spec.name)).toEqual(['a']);
    expect(full.store.revision()).toBe(revision);
  });

  it('takes changes again once there is room', async () => {
    const roomy = await full.restart();
    full = roomy;
    const { revision } = await roomy.networks.createNetwork(
      networkInput({ name: 'b', parent: 'eth0', subnets: subnet24(2) }),
    );
    expect(revision).toBeGreaterThan(0);
  });
});
