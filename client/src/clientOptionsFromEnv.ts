import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_HOST, type ConnectionOptions } from './connection';

/** The environment the CLI reads, Docker's DOCKER_* with MVNET_ in front. */
type Environment = Record<string, string | undefined>;

/**
 * Connection options from the environment, under the ones given explicitly (the CLI's flags), as
 * Docker's client reads DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH:
 *
 * - host: `flags.host`, else MVNET_HOST, else the local socket;
 * - TLS is on with --tls or --tlsverify; MVNET_TLS_VERIFY set to anything non-empty means --tlsverify;
 * - the certificates default to `ca.pem`, `cert.pem` and `key.pem` in MVNET_CERT_PATH (default
 *   `~/.mvnet`): the CA always (a missing one is then named when TLS needs it), the client pair only
 *   when both files exist, so a verify-only setup needs no client certificate;
 * - the token: `flags.token`, else MVNET_TOKEN.
 *
 * MVNET_CERT_PATH alone does not turn TLS on, as DOCKER_CERT_PATH does not.
 */
export function clientOptionsFromEnv(
  env: Environment = process.env,
  flags: ConnectionOptions = {},
): ConnectionOptions {
  const host = flags.host ?? (env.MVNET_HOST || DEFAULT_HOST);
  const token = flags.token ?? (env.MVNET_TOKEN || undefined);
  const tlsVerify = flags.tlsVerify ?? Boolean(env.MVNET_TLS_VERIFY);
  const tls = Boolean(flags.tls) || tlsVerify;
  if (!tls) return { ...flags, host, token };
  const dir = env.MVNET_CERT_PATH || path.join(os.homedir(), '.mvnet');
  const defaults = { cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') };
  const pair = !flags.tlsCert && !flags.tlsKey && fs.existsSync(defaults.cert) && fs.existsSync(defaults.key);
  return {
    host,
    token,
    tls,
    tlsVerify,
    tlsCaCert: flags.tlsCaCert ?? path.join(dir, 'ca.pem'),
    tlsCert: flags.tlsCert ?? (pair ? defaults.cert : undefined),
    tlsKey: flags.tlsKey ?? (pair ? defaults.key : undefined),
  };
}
