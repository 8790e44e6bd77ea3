import { hostsFromPods, MAX_POD_LIST_BYTES } from '../fleet/hostsFromPods';
import type { FleetHost } from '../fleet/fleetTypes';
import { readSpecSource } from '../spec/readSpecSource';
import type { CliContext } from './CliContext';
import { CliUsageError } from './CliUsageError';

/**
 * The hosts of `--hosts-from-pods FILE|-`: the pod list that `kubectl get pods -l
 * app.kubernetes.io/name=mvnet-agent -o json` printed, read within MAX_POD_LIST_BYTES and read as
 * hostsFromPods reads it. The pods it leaves out (pending, finished, being deleted) are said
 * on stderr, one `Warning:` line each, as kubectl says what it skips; anything it refuses is a usage
 * error (exit status 2), before any host is asked. Only one of -f and --hosts-from-pods can be `-`.
 */
export async function readPodHosts(
  podsFile: string,
  fleetFile: string | undefined,
  ctx: CliContext,
): Promise<FleetHost[]> {
  if (podsFile === '-' && fleetFile === '-')
    throw new CliUsageError(
      '-f - and --hosts-from-pods -: only one of them can be standard input; give the other as a file',
    );
  try {
    const bound = { maxBytes: MAX_POD_LIST_BYTES, what: 'a pod list' };
    const { text, source } = await readSpecSource(podsFile, ctx.io.stdin, bound);
    const { hosts, skipped } = hostsFromPods(text, source);
    for (const line of skipped) ctx.io.stderr(`Warning: --hosts-from-pods: left out ${line}\n`);
    return hosts;
  } catch (err) {
    throw new CliUsageError(`--hosts-from-pods: ${(err as Error).message}`);
  }
}
