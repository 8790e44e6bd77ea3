import Database from 'better-sqlite3';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MIGRATIONS } from '../../agent/src/store/migrations';
import { NewerStateFormatError, STATE_FORMAT } from '../../agent/src/store/stateFormat';
import { Store } from '../../agent/src/store/Store';

/** A state dir with a database of format `format` (the migrations up to it, run one by one), and `rows` written into it. */
function stateOfFormat(format: number, rows: (db: Database.Database) => void = () => undefined): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-format-'));
  fs.chmodSync(dir, 0o700);
  const db = new Database(path.join(dir, 'state.db'));
  for (const migration of MIGRATIONS.slice(0, format)) {
    if (typeof migration === 'string') db.exec(migration);
    else migration(db);
  }
  db.pragma(`user_version = ${format}`);
  rows(db);
  db.close();
  return dir;
}

const endpointRow = (db: Database.Database, name: string, spec: string) => {
  db.prepare('INSERT OR IGNORE INTO networks (name, spec, status) VALUES (?, ?, ?)').run('n1', '{}', '{}');
  db.prepare('INSERT INTO endpoints (network, name, spec, status) VALUES (?, ?, ?, ?)').run(
    'n1',
    name,
    spec,
    '{"state":"ready","message":"","revision":1}',
  );
};
const goodSpec = JSON.stringify({
  name: 'a',
  network: 'n1',
  netns: 'c1',
  ifname: 'eth0',
  macAddress: '02:00:00:00:00:01',
});

const formatOf = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
};
const digest = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('the state format', () => {
  const dirs: string[] = [];
  const made = (dir: string) => (dirs.push(dir), dir);
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is the number of migrations', () => {
    expect(STATE_FORMAT).toBe(MIGRATIONS.length);
  });

  it('keeps the old state as state.db.pre-vN, 0600, before migrating it, and migrates it whole', () => {
    const dir = made(stateOfFormat(4, (db) => endpointRow(db, 'a', goodSpec)));
    const before = digest(path.join(dir, 'state.db'));
    const store = Store.open(dir);
    try {
      const copy = path.join(dir, `state.db.pre-v${STATE_FORMAT}`);
      expect(store.migrated).toEqual({ from: 4, to: STATE_FORMAT, copy });
      expect(fs.statSync(copy).mode & 0o777).toBe(0o600);
      expect(formatOf(copy)).toBe(4);
      // The copy holds the same rows, in the old schema: an agent of format 4 can run on it again.
      const old = new Database(copy, { readonly: true });
      expect(old.prepare('SELECT name, spec FROM endpoints').all()).toEqual([{ name: 'a', spec: goodSpec }]);
      expect(
        old.prepare("SELECT name FROM sqlite_master WHERE name = 'endpoints_by_netns'").get(),
      ).toBeTruthy();
      old.close();
      expect(fs.existsSync(`${copy}.partial`)).toBe(false);
      expect(before).not.toBe(digest(path.join(dir, 'state.db'))); // migrated in place
      expect(store.listEndpoints().map((e) => e.spec.netnsRef)).toEqual([{ name: 'c1' }]);
    } finally {
      store.close();
    }
    expect(formatOf(path.join(dir, 'state.db'))).toBe(STATE_FORMAT);
  });

  it('migrates all or nothing: a migration that fails leaves the state in its old format, and the agent does not start', () => {
    const dir = made(
      stateOfFormat(4, (db) => {
        endpointRow(db, 'a', goodSpec);
        // A table in the way of migration 6, which fails after migration 5 altered the endpoints.
        db.exec('CREATE TABLE events_by_sequence (x)');
      }),
    );
    expect(() => Store.open(dir)).toThrow('table events_by_sequence already exists');
    const db = new Database(path.join(dir, 'state.db'), { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(4);
      // Migration 5's column is not there: its ALTER TABLE was rolled back with the rest.
      const columns = db.prepare('PRAGMA table_info(endpoints)').all() as { name: string }[];
      expect(columns.map((c) => c.name)).not.toContain('netns_key');
      expect(db.prepare('SELECT spec FROM endpoints WHERE name = ?').get('a')).toEqual({ spec: goodSpec });
    } finally {
      db.close();
    }
  });

  it('keeps no copy of a new state, nor of one already in this format', () => {
    const dir = made(fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-format-')));
    Store.open(dir).close();
    const again = Store.open(dir);
    expect(again.migrated).toEqual({ from: STATE_FORMAT, to: STATE_FORMAT });
    again.close();
    expect(fs.readdirSync(dir).filter((f) => f.includes('pre-v'))).toEqual([]);
  });

  describe('written by a newer agent', () => {
    /** A state of a format one newer than this agent's, beside the copy that newer agent kept. */
    function newerState(withCopy: boolean): string {
      const dir = made(stateOfFormat(STATE_FORMAT, (db) => endpointRow(db, 'a', goodSpec)));
      const file = path.join(dir, 'state.db');
      if (withCopy) fs.copyFileSync(file, path.join(dir, `state.db.pre-v${STATE_FORMAT + 1}`));
      const db = new Database(file);
      db.pragma(`user_version = ${STATE_FORMAT + 1}`);
      db.close();
      fs.chmodSync(file, 0o644); // wider than an agent leaves it: a start that went on would narrow it
      return dir;
    }

    it('is refused, naming the copy to roll back to and how, and nothing in the dir changes', () => {
      const dir = newerState(true);
      const file = path.join(dir, 'state.db');
      const before = {
        digest: digest(file),
        files: fs.readdirSync(dir).sort(),
        mode: fs.statSync(file).mode,
      };
      let error: unknown;
      try {
        Store.open(dir);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(NewerStateFormatError);
      const message = (error as Error).message;
      expect(message).toContain(
        `${file} is state format v${STATE_FORMAT + 1}, written by a newer mvnet-agent`,
      );
      expect(message).toContain(`reads up to v${STATE_FORMAT}. Nothing was changed.`);
      expect(message).toContain(
        `${path.join(dir, `state.db.pre-v${STATE_FORMAT + 1}`)} (format v${STATE_FORMAT}`,
      );
      expect(message).toContain(`rm -f ${file}-wal ${file}-shm && cp -p`);
      expect({
        digest: digest(file),
        files: fs.readdirSync(dir).sort(),
        mode: fs.statSync(file).mode,
      }).toEqual(before);
    });

    it('is refused also when the newer format is still in the WAL of an agent that died', () => {
      const dir = made(stateOfFormat(STATE_FORMAT));
      const crashed = made(fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-format-')));
      const db = new Database(path.join(dir, 'state.db'));
      db.pragma('journal_mode = WAL');
      db.pragma('wal_autocheckpoint = 0');
      db.pragma(`user_version = ${STATE_FORMAT + 1}`);
      // The files as a crash leaves them: the commit in the WAL, the file's header still the old format.
      for (const name of ['state.db', 'state.db-wal'])
        fs.copyFileSync(path.join(dir, name), path.join(crashed, name));
      db.close();
      expect(fs.statSync(path.join(crashed, 'state.db-wal')).size).toBeGreaterThan(32);
      fs.chmodSync(path.join(crashed, 'state.db'), 0o644);
      expect(() => Store.open(crashed)).toThrow(`is state format v${STATE_FORMAT + 1}`);
      expect(fs.statSync(path.join(crashed, 'state.db')).mode & 0o777).toBe(0o644);
    });

    it('says so when there is no copy to roll back to', () => {
      const dir = newerState(false);
      expect(() => Store.open(dir)).toThrow(/no copy of an older format \(state\.db\.pre-vN\) is in/);
    });

    it('never takes a copy that is not a regular SQLite file of a format it reads', () => {
      const dir = newerState(false);
      fs.symlinkSync('/etc/passwd', path.join(dir, 'state.db.pre-v98'));
      fs.writeFileSync(
        path.join(dir, 'state.db.pre-v97'),
        'not a database, but long enough to have a header: '.repeat(4),
      );
      fs.mkdirSync(path.join(dir, 'state.db.pre-v96'));
      expect(() => Store.open(dir)).toThrow(/no copy of an older format/);
    });
  });
});
