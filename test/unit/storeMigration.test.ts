import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MIGRATIONS } from '../../agent/src/store/migrations';
import { Store } from '../../agent/src/store/Store';

/** A state dir as an agent of schema version 4 left it: endpoints and a pending op with netns as text. */
function stateOfVersion4(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-migrate-'));
  const db = new Database(path.join(dir, 'state.db'));
  for (const migration of MIGRATIONS.slice(0, 4)) db.exec(migration as string);
  db.pragma('user_version = 4');
  const spec = (name: string, netns: string) =>
    JSON.stringify({
      name,
      network: 'mvnet',
      netns,
      ifname: 'eth0',
      ipv4Address: '',
      ipv6Address: '',
      macAddress: '02:00:00:00:00:01',
    });
  db.prepare('INSERT INTO networks (name, spec, status) VALUES (?, ?, ?)').run('mvnet', '{}', '{}');
  const insert = db.prepare('INSERT INTO endpoints (network, name, spec, status) VALUES (?, ?, ?, ?)');
  insert.run('mvnet', 'a', spec('a', 'c1'), '{"state":"ready","message":"","revision":1}');
  insert.run('mvnet', 'b', spec('b', '/var/run/netns/c1'), '{"state":"ready","message":"","revision":2}');
  insert.run('mvnet', 'c', spec('c', '/proc/42/ns/net'), '{"state":"lost","message":"","revision":3}');
  db.prepare('INSERT INTO pending (op) VALUES (?)').run(
    JSON.stringify({
      kind: 'endpoint',
      network: 'mvnet',
      name: 'd',
      netns: 'pid:42',
      ifname: 'eth1',
      tmpName: 'mve0',
    }),
  );
  db.close();
  return dir;
}

describe('the store migration to parsed netns refs (schema 5)', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = stateOfVersion4();
    store = Store.open(dir);
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("parses every endpoint's netns once, keeping the text the caller gave", () => {
    expect(store.listEndpoints().map((e) => [e.spec.netns, e.spec.netnsRef])).toEqual([
      ['c1', { name: 'c1' }],
      ['/var/run/netns/c1', { name: 'c1' }],
      ['/proc/42/ns/net', { pid: 42 }],
    ]);
  });

  it('finds the endpoints of one container however its netns was written', () => {
    expect(store.endpointsInNetns({ name: 'c1' }).map((e) => e.spec.name)).toEqual(['a', 'b']);
    expect(store.endpointsInNetns({ pid: 42 }).map((e) => e.spec.name)).toEqual(['c']);
    expect(store.endpointsInNetns({ name: 'c2' })).toEqual([]);
  });

  it('parses the netns of a change the old agent died in the middle of', () => {
    expect(store.pendingOps()).toEqual([
      {
        id: 1,
        op: {
          kind: 'endpoint',
          network: 'mvnet',
          name: 'd',
          netns: 'pid:42',
          netnsRef: { pid: 42 },
          ifname: 'eth1',
          tmpName: 'mve0',
        },
      },
    ]);
  });
});

/** A state dir as an agent of schema version 5 left it: three events, one per revision, keyed by revision. */
function stateOfVersion5(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-migrate-'));
  const db = new Database(path.join(dir, 'state.db'));
  for (const migration of MIGRATIONS.slice(0, 5)) {
    if (typeof migration === 'string') db.exec(migration);
    else migration(db);
  }
  db.pragma('user_version = 5');
  const insert = db.prepare(
    'INSERT INTO events (revision, type, kind, network, name, object, message, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  insert.run(1, 'ADDED', 'network', 'n1', 'n1', '{"spec":{"name":"n1"}}', '', 1000);
  insert.run(2, 'DRIFT', 'network', 'n1', 'n1', '{"spec":{"name":"n1"}}', 'parent eth0 is down', 2000);
  insert.run(3, 'DELETED', 'network', 'n1', 'n1', '{"spec":{"name":"n1"}}', '', 3000);
  db.prepare("INSERT INTO meta (key, value) VALUES ('revision', '3')").run();
  db.close();
  return dir;
}

describe('the store migration to events keyed by (revision, sequence) (schema 6)', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = stateOfVersion5();
    store = Store.open(dir);
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every event, each the whole of its revision', () => {
    expect(store.revision()).toBe(3);
    expect(store.eventsAfter(0)).toEqual([
      expect.objectContaining({ revision: 1, sequence: 0, revisionEnd: true, type: 'ADDED', time: 1000 }),
      expect.objectContaining({
        revision: 2,
        sequence: 0,
        revisionEnd: true,
        message: 'parent eth0 is down',
      }),
      expect.objectContaining({ revision: 3, sequence: 0, revisionEnd: true, type: 'DELETED' }),
    ]);
    expect(store.eventsAfter(1)[0].object).toEqual({ spec: { name: 'n1' } });
  });

  it('logs the next change after them, several events under one revision', () => {
    store.transact((tx) => {
      tx.recordEvent({ type: 'DRIFT', kind: 'network', network: 'n2', name: 'n2', object: {} });
      tx.recordEvent({ type: 'DRIFT', kind: 'network', network: 'n3', name: 'n3', object: {} });
    });
    expect(store.eventsAfter(2).map((e) => [e.revision, e.sequence, e.revisionEnd])).toEqual([
      [3, 0, true],
      [4, 0, false],
      [4, 1, true],
    ]);
  });

  it('compacts the old events with the new ones, by revision', () => {
    store.setRetention(2);
    store.transact((tx) =>
      tx.recordEvent({ type: 'DRIFT', kind: 'host', network: '', name: 'h', object: {} }),
    );
    expect(store.oldestRetainedRevision()).toBe(3);
    expect(store.eventsAfter(0).map((e) => e.revision)).toEqual([3, 4]);
  });
});
