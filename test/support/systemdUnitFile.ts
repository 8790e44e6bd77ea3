/**
 * Reading a systemd unit file and an environment file as systemd reads them, for the tests that start
 * the agent with the unit's own command line (systemd.syntax(7), systemd.exec(5) EnvironmentFile=).
 * Only what deploy/systemd uses is supported; anything else is refused rather than read wrongly.
 */
import fs from 'node:fs';

/** A unit file's settings: section → key → every value given, in order (a key may repeat). */
export type UnitFile = Map<string, Map<string, string[]>>;

/**
 * Parses a unit file. Lines starting with `#` or `;` are comments; a line ending in a backslash goes
 * on with the next (the backslash becomes a space, and comment lines inside are skipped, as systemd
 * does); `[Section]` opens a section; `Key=value` has its surrounding whitespace trimmed.
 */
export function parseUnitFile(text: string): UnitFile {
  const unit: UnitFile = new Map();
  let section: Map<string, string[]> | undefined;
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || line.startsWith(';')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const whole = `${pending}${line}`.trim();
    pending = '';
    if (whole === '') continue;
    const header = /^\[([^\]]+)\]$/.exec(whole);
    if (header) {
      section = new Map();
      unit.set(header[1], section);
      continue;
    }
    const eq = whole.indexOf('=');
    if (!section || eq <= 0) throw new Error(`not a unit file line: ${JSON.stringify(whole)}`);
    const key = whole.slice(0, eq).trim();
    section.set(key, [...(section.get(key) ?? []), whole.slice(eq + 1).trim()]);
  }
  if (pending !== '') throw new Error('unit file ends inside a continued line');
  return unit;
}

/** The one value of `key` in `section`; throws when it is missing or given more than once. */
export function unitValue(unit: UnitFile, section: string, key: string): string {
  const values = unit.get(section)?.get(key) ?? [];
  if (values.length !== 1) throw new Error(`[${section}] ${key}= is given ${values.length} times`);
  return values[0];
}

/** Every value of `key` in `section`, split at whitespace (CapabilityBoundingSet=, SystemCallFilter=...). */
export function unitWords(unit: UnitFile, section: string, key: string): string[] {
  return (unit.get(section)?.get(key) ?? []).flatMap((v) => v.split(/\s+/).filter((w) => w !== ''));
}

export function readUnitFile(file: string): UnitFile {
  return parseUnitFile(fs.readFileSync(file, 'utf8'));
}

/**
 * Parses an environment file as EnvironmentFile= does for the plain form deploy/systemd uses: blank
 * lines, comments (`#`, `;`) and `NAME=value` lines, the value trimmed. Quotes and backslashes, which
 * systemd would interpret, are refused here instead of being read differently.
 */
export function parseEnvironmentFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(line);
    if (!m) throw new Error(`not an environment file line: ${JSON.stringify(line)}`);
    const value = m[2].trim();
    if (/["'\\]/.test(value)) throw new Error(`${m[1]}: quotes and backslashes are not supported here`);
    env[m[1]] = value;
  }
  return env;
}

/** The directories systemd makes for StateDirectory= and the like, under their fixed roots (system units). */
const DIRECTORY_ROOTS: Record<string, { variable: string; root: string }> = {
  RuntimeDirectory: { variable: 'RUNTIME_DIRECTORY', root: '/run' },
  StateDirectory: { variable: 'STATE_DIRECTORY', root: '/var/lib' },
  CacheDirectory: { variable: 'CACHE_DIRECTORY', root: '/var/cache' },
  LogsDirectory: { variable: 'LOGS_DIRECTORY', root: '/var/log' },
  ConfigurationDirectory: { variable: 'CONFIGURATION_DIRECTORY', root: '/etc' },
};

/** systemd's PATH for the services of a system manager (its default on a merged-/usr Debian). */
export const SYSTEMD_DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The variables systemd sets for the [Service] section's directories (STATE_DIRECTORY=/var/lib/mvnet
 * for StateDirectory=mvnet; several directories are joined with `:`), and the paths it makes.
 */
export function serviceDirectories(unit: UnitFile): { env: Record<string, string>; paths: string[] } {
  const env: Record<string, string> = {};
  const paths: string[] = [];
  for (const [key, { variable, root }] of Object.entries(DIRECTORY_ROOTS)) {
    const dirs = unitWords(unit, 'Service', key).map((name) => `${root}/${name}`);
    if (dirs.length === 0) continue;
    env[variable] = dirs.join(':');
    paths.push(...dirs);
  }
  return { env, paths };
}
