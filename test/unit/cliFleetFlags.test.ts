import fs from 'node:fs';
import { runMvnet } from '../support/runMvnet';
import os from 'node:os';
import path from 'node:path';
import { CliUsageError } from '../../client/src/cli/CliUsageError';
import { fleetClientOptions, maxUnavailableFlag, rolloutFromFlags } from '../../client/src/cli/fleetFlags';
import type { RolloutPolicy } from '../../client/src/fleet/fleetTypes';

const FILE_ROLLOUT: RolloutPolicy = {
  canary: 1,
  maxUnavailable: { percent: 25 },
  confirmWithinMs: 60_000,
  probeGateways: true,
  maxFailures: 2,
};

describe('the rollout flags over the fleet file', () => {
  it("keeps the file's rollout when no flag is given", () => {
    expect(rolloutFromFlags(FILE_ROLLOUT, {}, 4)).toEqual(FILE_ROLLOUT);
  });

  it('lets each flag win over its field, leaving the others as the file has them', () => {
    expect(
      rolloutFromFlags(FILE_ROLLOUT, { canary: '0', maxUnavailable: '3', confirmWithin: '1m30s' }, 4),
    ).toEqual({ ...FILE_ROLLOUT, canary: 0, maxUnavailable: { count: 3 }, confirmWithinMs: 90_000 });
    expect(rolloutFromFlags(FILE_ROLLOUT, { maxUnavailable: '100%' }, 4).maxUnavailable).toEqual({
      percent: 100,
    });
  });

  it.each([
    [{ canary: '-1' }, '--canary: expected a whole number, not "-1"'],
    [{ canary: '1.5' }, '--canary: expected a whole number, not "1.5"'],
    [{ canary: '5' }, '--canary: 5 canary hosts, but the file names 4'],
    [
      { canary: '9'.repeat(40) },
      '--canary: expected a whole number, not "9999999999999999999999999999999999999999"',
    ],
    [
      { maxUnavailable: '0' },
      '--max-unavailable: expected a count such as 3 or a percentage such as 25% (at least 1), not "0"',
    ],
    [{ maxUnavailable: '0%' }, '--max-unavailable: a percentage is 1% to 100%, not "0%"'],
    [{ maxUnavailable: '101%' }, '--max-unavailable: a percentage is 1% to 100%, not "101%"'],
    [
      { maxUnavailable: 'half' },
      '--max-unavailable: expected a count such as 3 or a percentage such as 25% (at least 1), not "half"',
    ],
    [{ confirmWithin: '0s' }, '--confirm-within: 0s is outside 1s..1h'],
    [{ confirmWithin: '2h' }, '--confirm-within: 2h is outside 1s..1h'],
    [
      { confirmWithin: 'soon\u001b[2J' },
      '--confirm-within: expected a duration such as 90s, 2m, 1h or 1m30s, not "soon\\u001b[2J"',
    ],
  ])('refuses %j as a usage error naming the flag', (flags, message) => {
    const refuse = () => rolloutFromFlags(FILE_ROLLOUT, flags, 4);
    expect(refuse).toThrow(CliUsageError);
    expect(refuse).toThrow(message);
  });

  it('reads a count and a percentage of --max-unavailable', () => {
    expect(maxUnavailableFlag('7')).toEqual({ count: 7 });
    expect(maxUnavailableFlag('1%')).toEqual({ percent: 1 });
  });
});

describe("the fleet's TLS: flags over the file's tls:, over the environment", () => {
  let certs: string;
  const fileTls = { ca: '/fleet/ca.pem', cert: '/fleet/orchestrator.pem', key: '/fleet/orchestrator.key' };

  beforeAll(() => {
    certs = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-fleetcerts-'));
    for (const file of ['ca.pem', 'cert.pem', 'key.pem']) fs.writeFileSync(path.join(certs, file), '');
  });

  afterAll(() => fs.rmSync(certs, { recursive: true, force: true }));

  it('is plaintext without tls: in the file, a flag or MVNET_TLS_VERIFY, and never carries a host', () => {
    expect(fleetClientOptions({ MVNET_HOST: 'h9:7443' }, { output: 'table' }, undefined)).toEqual({});
  });

  it("verifies against the file's CA with its client pair, over MVNET_CERT_PATH", () => {
    const env = { MVNET_CERT_PATH: certs, MVNET_TLS_VERIFY: '' };
    expect(fleetClientOptions(env, { output: 'table' }, fileTls)).toEqual({
      tls: true,
      tlsVerify: true,
      tlsCaCert: '/fleet/ca.pem',
      tlsCert: '/fleet/orchestrator.pem',
      tlsKey: '/fleet/orchestrator.key',
    });
  });

  it("lets the flags win: the CA, and the client pair as a whole (the file's key is not mixed in)", () => {
    const options = fleetClientOptions(
      { MVNET_CERT_PATH: certs },
      { output: 'table', tlscacert: '/flags/ca.pem', tlscert: '/flags/me.pem', token: 'tok' },
      fileTls,
    );
    expect(options).toEqual({
      tls: true,
      tlsVerify: true,
      tlsCaCert: '/flags/ca.pem',
      tlsCert: '/flags/me.pem',
      token: 'tok',
    });
  });

  it('takes TLS from the environment when the file has no tls:, as the single-host CLI does', () => {
    expect(
      fleetClientOptions({ MVNET_CERT_PATH: certs, MVNET_TLS_VERIFY: '1' }, { output: 'table' }, undefined),
    ).toEqual({
      tls: true,
      tlsVerify: true,
      tlsCaCert: path.join(certs, 'ca.pem'),
      tlsCert: path.join(certs, 'cert.pem'),
      tlsKey: path.join(certs, 'key.pem'),
    });
  });

  it('encrypts without verifying when the file gives a client pair but no CA', () => {
    expect(fleetClientOptions({}, { output: 'table' }, { cert: '/c.pem', key: '/k.pem' })).toMatchObject({
      tls: true,
      tlsVerify: false,
      tlsCert: '/c.pem',
      tlsKey: '/k.pem',
    });
  });

  it('refuses --host: the file names the hosts', () => {
    expect(() => fleetClientOptions({}, { output: 'table', host: 'h1:7443' }, undefined)).toThrow(
      '--host: mvnet fleet reaches the hosts the fleet file names; leave --host out',
    );
  });
});

describe('mvnet fleet: command lines refused before any host is asked', () => {
  const mvnet = (...argv: string[]) => runMvnet(argv);

  it.each([['plan'], ['apply'], ['status'], ['watch']])(
    'fleet %s without -f is a usage error',
    async (cmd) => {
      expect(await mvnet('fleet', cmd)).toEqual({
        code: 2,
        stdout: '',
        stderr: 'Error: give the fleet file with -f FILE (or -f - for standard input)\n',
      });
    },
  );

  it('names a fleet file that is not there', async () => {
    const run = await mvnet('fleet', 'plan', '-f', '/nonexistent/fleet.yaml');
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: 'Error: /nonexistent/fleet.yaml: no such file (ENOENT)\n',
    });
  });

  it('refuses a flag the command does not take, with commander', async () => {
    const run = await mvnet('fleet', 'status', '-f', 'x.yaml', '--canary', '1');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error: unknown option '--canary'");
  });
});
