/**
 * deploy/systemd/mvnet-agent.service, checked by systemd's own tools (systemd-analyze, from Debian's
 * systemd package; no systemd needs to run as init): `verify` in a staged root that holds the binary
 * its ExecStart names and systemd's own units, `security --offline=true` for its exposure (target
 * at most 3.5, the figure deploy/README.md records), and what issue 15 asks of the unit itself.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expandCommandLine } from '../support/systemdCommandLine';
import {
  parseEnvironmentFile,
  readUnitFile,
  serviceDirectories,
  unitValue,
  unitWords,
} from '../support/systemdUnitFile';

const root = path.join(__dirname, '../..');
const unitFile = path.join(root, 'deploy/systemd/mvnet-agent.service');
const envFile = path.join(root, 'deploy/systemd/mvnet-agent.env');
const unit = readUnitFile(unitFile);
const EXPOSURE_TARGET = 3.5;

function systemdAnalyze(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('systemd-analyze', args, {
    encoding: 'utf8',
    env: { ...process.env, SYSTEMD_COLORS: '0' },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A root for `systemd-analyze verify --root`: systemd's own units (the targets the unit orders itself
 * against), `unitText` as /etc/systemd/system/mvnet-agent.service, and an executable at the path its
 * ExecStart names unless `withBinary` is false (and at ExecReload's, /bin/kill, which the root lacks).
 */
function stagedRoot(unitText: string, withBinary = true): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-unit-'));
  fs.mkdirSync(path.join(dir, 'usr/lib/systemd'), { recursive: true });
  fs.cpSync('/usr/lib/systemd/system', path.join(dir, 'usr/lib/systemd/system'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'etc/systemd/system'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'etc/systemd/system/mvnet-agent.service'), unitText);
  const stage = (key: string) => {
    const binary = path.join(dir, unitValue(unit, 'Service', key).split(/\s/)[0]);
    fs.mkdirSync(path.dirname(binary), { recursive: true });
    fs.writeFileSync(binary, '#!/bin/sh\n', { mode: 0o755 });
  };
  if (withBinary) stage('ExecStart');
  stage('ExecReload');
  return dir;
}

function verify(unitText: string, withBinary = true): { status: number | null; output: string } {
  const dir = stagedRoot(unitText, withBinary);
  try {
    const r = systemdAnalyze(['verify', `--root=${dir}`, 'mvnet-agent.service']);
    return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The overall exposure `systemd-analyze security --offline=true` gives the unit file. */
function exposure(file: string): number {
  const r = systemdAnalyze(['security', '--offline=true', '--no-pager', file]);
  const m = /Overall exposure level for \S+: (\d+\.\d)/.exec(r.stdout);
  if (!m) throw new Error(`no exposure in:\n${r.stdout}${r.stderr}`);
  return Number(m[1]);
}

describe('systemd-analyze on deploy/systemd/mvnet-agent.service', () => {
  const text = fs.readFileSync(unitFile, 'utf8');

  it('verifies without a warning when the binary its ExecStart names is there', () => {
    expect(verify(text)).toEqual({ status: 0, output: '' });
  });

  it('would catch a missing binary and a misspelt or malformed setting', () => {
    expect(verify(text, false)).toMatchObject({ output: expect.stringMatching(/is not executable/) });
    const broken = text.replace('RestartSec=2s', 'RestartSec=2x\nProtectSytem=strict');
    const { output } = verify(broken);
    expect(output).toMatch(/Failed to parse sec value/);
    expect(output).toMatch(/Unknown key '?ProtectSytem/);
  });

  it(`has an overall exposure of at most ${EXPOSURE_TARGET}, the figure deploy/README.md records`, () => {
    const level = exposure(unitFile);
    expect(level).toBeLessThanOrEqual(EXPOSURE_TARGET);
    const readme = fs.readFileSync(path.join(root, 'deploy/README.md'), 'utf8');
    expect(readme).toContain(`overall exposure **${level.toFixed(1)}**`);
  });

  it('scores an unhardened unit above the target (the check measures what it should)', () => {
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-unit-'));
    try {
      const file = path.join(bare, 'mvnet-agent.service');
      fs.writeFileSync(file, '[Service]\nExecStart=/usr/local/bin/mvnet-agent\n');
      expect(exposure(file)).toBeGreaterThan(EXPOSURE_TARGET);
    } finally {
      fs.rmSync(bare, { recursive: true, force: true });
    }
  });
});

describe('the unit and its environment file', () => {
  it('grants only the capabilities the agent uses, as ambient and bounding set alike', () => {
    const caps = ['CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_SYS_ADMIN', 'CAP_SYS_PTRACE'];
    expect(unitWords(unit, 'Service', 'CapabilityBoundingSet').sort()).toEqual(caps);
    expect(unitWords(unit, 'Service', 'AmbientCapabilities').sort()).toEqual(caps);
  });

  it('has the sandbox, directories, restart policy and ordering the issue lists, and no MemoryDenyWriteExecute', () => {
    const service = (key: string) => unitValue(unit, 'Service', key);
    expect(service('StateDirectory')).toBe('mvnet');
    expect(service('RuntimeDirectory')).toBe('mvnet');
    expect(service('ProtectSystem')).toBe('strict');
    expect(service('ProtectHome')).toBe('yes');
    expect(service('NoNewPrivileges')).toBe('yes');
    expect(unitWords(unit, 'Service', 'RestrictAddressFamilies')).toEqual([
      'AF_UNIX',
      'AF_NETLINK',
      'AF_INET',
      'AF_INET6',
      'AF_PACKET',
    ]);
    expect(service('SystemCallArchitectures')).toBe('native');
    expect(service('Restart')).toBe('on-failure');
    expect(service('ExecReload')).toBe('/bin/kill -HUP $MAINPID'); // the agent reloads its access files
    expect(unit.get('Service')!.has('MemoryDenyWriteExecute')).toBe(false);
    expect(unitWords(unit, 'Unit', 'After')).toContain('network-online.target');
    expect(unitWords(unit, 'Unit', 'Wants')).toContain('network-online.target');
    expect(unitWords(unit, 'Unit', 'Before')).toEqual([
      'containerd.service',
      'docker.service',
      'crio.service',
    ]);
    expect(service('EnvironmentFile')).toBe('/etc/mvnet/mvnet-agent.env');
  });

  it('takes every address and TLS path of its command line from the environment file', () => {
    const env = parseEnvironmentFile(fs.readFileSync(envFile, 'utf8'));
    const used = [...unitValue(unit, 'Service', 'ExecStart').matchAll(/\$\{?([A-Z_]+)/g)].map((m) => m[1]);
    const fromSystemd = Object.keys(serviceDirectories(unit).env);
    expect(used.filter((v) => !fromSystemd.includes(v)).sort()).toEqual(Object.keys(env).sort());
    const argv = expandCommandLine(unitValue(unit, 'Service', 'ExecStart'), {
      ...env,
      ...serviceDirectories(unit).env,
    });
    const flag = (name: string) => argv[argv.indexOf(name) + 1];
    expect(flag('--listen')).toBe('0.0.0.0:7443');
    expect(flag('--state-dir')).toBe('/var/lib/mvnet');
    expect(flag('--tlscacert')).toBe('/etc/mvnet/tls/ca.pem');
    expect(flag('--health-listen')).toBe('127.0.0.1:7444');
    expect(flag('--metrics-listen')).toBe('127.0.0.1:9464');
    expect(argv).toContain('--tlsverify');
    expect(argv).not.toContain('--insecure');
  });
});
