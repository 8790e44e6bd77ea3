import type Database from 'better-sqlite3';
import { netnsRefColumn } from './netnsRefColumn';

/** SQL to run, or a step that needs code (reading JSON the way the agent does). */
export type Migration = string | ((db: Database.Database) => void);

/**
 * The schema, as an ordered list of migrations: migration i brings `PRAGMA user_version` from i to i+1.
 * Never edit a released migration; append a new one.
 */
export const MIGRATIONS: readonly Migration[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE networks (
    name TEXT PRIMARY KEY,
    spec TEXT NOT NULL,
    status TEXT NOT NULL
  );
  CREATE TABLE endpoints (
    network TEXT NOT NULL REFERENCES networks(name),
    name TEXT NOT NULL,
    spec TEXT NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (network, name)
  );
  CREATE TABLE events (
    revision INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    kind TEXT NOT NULL,
    network TEXT NOT NULL,
    name TEXT NOT NULL,
    object TEXT NOT NULL,
    message TEXT NOT NULL,
    time INTEGER NOT NULL
  );
  `,
  `
  CREATE TABLE leases (
    network TEXT NOT NULL,
    address TEXT NOT NULL,
    holder TEXT NOT NULL,
    PRIMARY KEY (network, address)
  );
  CREATE INDEX leases_by_holder ON leases (network, holder);
  `,
  `
  CREATE INDEX endpoints_by_netns ON endpoints (json_extract(spec, '$.netns'));
  `,
  `
  CREATE TABLE pending (id INTEGER PRIMARY KEY AUTOINCREMENT, op TEXT NOT NULL);
  `,
  netnsRefColumn,
  // One change may log several events under its revision: the log is keyed by (revision, sequence),
  // and the last event of a revision has revision_end. Each earlier revision logged one event.
  `
  CREATE TABLE events_by_sequence (
    revision INTEGER NOT NULL,
    sequence INTEGER NOT NULL,
    revision_end INTEGER NOT NULL,
    type TEXT NOT NULL,
    kind TEXT NOT NULL,
    network TEXT NOT NULL,
    name TEXT NOT NULL,
    object TEXT NOT NULL,
    message TEXT NOT NULL,
    time INTEGER NOT NULL,
    PRIMARY KEY (revision, sequence)
  );
  INSERT INTO events_by_sequence
    SELECT revision, 0, 1, type, kind, network, name, object, message, time FROM events;
  DROP TABLE events;
  ALTER TABLE events_by_sequence RENAME TO events;
  `,
];
