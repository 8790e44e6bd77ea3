import { clientOptionsFromEnv } from '../clientOptionsFromEnv';
import type { ConnectionOptions } from '../connection';
import type { FleetTlsFiles, RolloutPolicy } from '../fleet/fleetTypes';
import { quoteText } from '../../../common/quoteText';
import type { GlobalOptions } from './CliContext';
import { applyOptionsFromFlags } from './apply';
import { CliUsageError } from './CliUsageError';

/** The rollout flags of `mvnet fleet plan|apply`, as commander hands them over. */
export interface FleetRolloutFlags {
  canary?: string;
  maxUnavailable?: string;
  confirmWithin?: string;
}

/** The most hosts a count flag names: far more than a fleet file holds, few enough to stay exact. */
const MAX_HOST_COUNT = 1_000_000;

/**
 * The file's rollout with the flags over it: `--canary N` (0 for none, at most the `hostCount` hosts
 * of the file), `--max-unavailable N|P%` (a count of at least 1, or 1% to 100%), `--confirm-within D`
 * (1s to 1h). A malformed flag is a usage error naming it, before any host is asked.
 */
export function rolloutFromFlags(
  file: RolloutPolicy,
  flags: FleetRolloutFlags,
  hostCount: number,
): RolloutPolicy {
  const policy = { ...file };
  if (flags.canary !== undefined) {
    policy.canary = countFlag('--canary', flags.canary, 0);
    if (policy.canary > hostCount)
      throw new CliUsageError(`--canary: ${policy.canary} canary hosts, but the file names ${hostCount}`);
  }
  if (flags.maxUnavailable !== undefined) policy.maxUnavailable = maxUnavailableFlag(flags.maxUnavailable);
  // Read as `mvnet apply --confirm-within` reads it, refused with the same words.
  if (flags.confirmWithin !== undefined)
    policy.confirmWithinMs = applyOptionsFromFlags({ confirmWithin: flags.confirmWithin }).confirmWithinMs!;
  return policy;
}

/** `--max-unavailable`: `3` (hosts at once) or `25%` (of the hosts, rounded up). */
export function maxUnavailableFlag(text: string): RolloutPolicy['maxUnavailable'] {
  const percent = /^(\d{1,3})%$/.exec(text);
  if (percent) {
    const value = Number(percent[1]);
    if (value < 1 || value > 100)
      throw new CliUsageError(`--max-unavailable: a percentage is 1% to 100%, not ${quoteText(text)}`);
    return { percent: value };
  }
  return { count: countFlag('--max-unavailable', text, 1, 'a count such as 3 or a percentage such as 25%') };
}

function countFlag(flag: string, text: string, min: number, expected = 'a whole number'): number {
  const value = /^\d{1,7}$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= MAX_HOST_COUNT))
    throw new CliUsageError(
      `${flag}: expected ${expected}${min > 0 ? ` (at least ${min})` : ''}, not ${quoteText(text)}`,
    );
  return value;
}

/**
 * How the fleet's clients connect: the CLI's TLS flags, over the fleet file's `tls:` (its paths
 * already absolute), over the environment (MVNET_TLS_VERIFY, MVNET_CERT_PATH), and the token. A file
 * with `tls:` turns TLS on; with a `ca` the agents' certificates are verified against it. The client
 * certificate and key go together: given by the flags (either of them), the file's pair is not used.
 * The file's hosts carry their addresses: `--host` is refused, MVNET_HOST ignored.
 */
export function fleetClientOptions(
  env: Record<string, string | undefined>,
  flags: GlobalOptions,
  fileTls: FleetTlsFiles | undefined,
): Omit<ConnectionOptions, 'host'> {
  if (flags.host !== undefined)
    throw new CliUsageError('--host: mvnet fleet reaches the hosts the fleet file names; leave --host out');
  const fromFlags: ConnectionOptions = {
    tls: flags.tls,
    tlsVerify: flags.tlsverify,
    tlsCaCert: flags.tlscacert,
    tlsCert: flags.tlscert,
    tlsKey: flags.tlskey,
    token: flags.token,
  };
  if (fileTls) {
    const pairFromFlags = flags.tlscert !== undefined || flags.tlskey !== undefined;
    fromFlags.tls = true;
    fromFlags.tlsVerify ??= fileTls.ca !== undefined ? true : undefined;
    fromFlags.tlsCaCert ??= fileTls.ca;
    fromFlags.tlsCert = pairFromFlags ? flags.tlscert : fileTls.cert;
    fromFlags.tlsKey = pairFromFlags ? flags.tlskey : fileTls.key;
  }
  const { host: _ignored, ...options } = clientOptionsFromEnv({ ...env, MVNET_HOST: undefined }, fromFlags);
  return dropUndefined(options);
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
