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
