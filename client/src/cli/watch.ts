import type { Command } from 'commander';
import { ResourceKind } from '../../../proto/gen/mvnet/v1/apply';
import { EventType } from '../../../proto/gen/mvnet/v1/watch';
import type { WatchEvent, WatchOptions, WatchRetry } from '../watchEvents';
import type { CliContext } from './CliContext';
import { CliUsageError } from './CliUsageError';
import { collect } from './networkCreate';
import { watchEventJson, watchEventLine } from './watchEventLine';

/** The flags of `mvnet watch`, as commander hands them over. */
export interface WatchFlags {
  since?: string;
  kind?: string[];
  network?: string;
  bookmarks?: boolean;
}

const KINDS: Record<string, ResourceKind> = {
  network: ResourceKind.RESOURCE_KIND_NETWORK,
  endpoint: ResourceKind.RESOURCE_KIND_ENDPOINT,
  host: ResourceKind.RESOURCE_KIND_HOST,
};

const HELP = `
Without --since, the current state comes first (ADDED events), then a SYNCED line, then every change
as it happens. With --since N, every change after revision N, then live changes. Table lines read
  REVISION  EVENT  KIND  NAME  DETAILS
with EVENT one of ADDED, MODIFIED, DELETED, DRIFT (a change made behind the agent's back), SYNCED and
BOOKMARK (the current revision of a quiet stream; shown with --bookmarks). One change may show as
several lines under one revision (a network deleted with its endpoints): they are printed together,
once the whole revision has arrived. --output json prints the agent's events one JSON object per line,
bookmarks included, for jq; the last event of a revision has "revisionEnd": true.

When the stream breaks (the agent restarts) the watch resumes where it stopped, with a note on stderr:
no change is missed or shown twice. When the agent no longer keeps the changes to resume from, a RELIST
line (in JSON: {"relist":true,...}) says that the state is listed again from scratch.
Ctrl-C ends the watch (exit status 0).`;

/** The SDK's watch options for these flags, refused before any call when malformed. */
export function watchOptionsFromFlags(
  flags: WatchFlags,
): Pick<WatchOptions, 'sinceRevision' | 'kinds' | 'network'> {
  let sinceRevision = 0;
  if (flags.since !== undefined) {
    sinceRevision = /^\d+$/.test(flags.since) ? Number(flags.since) : NaN;
    if (!Number.isSafeInteger(sinceRevision))
      throw new CliUsageError(
        `--since: expected a revision (a whole number), not ${JSON.stringify(flags.since)}`,
      );
  }
  const kinds = (flags.kind ?? []).map((kind) => {
    const value = KINDS[kind.toLowerCase()];
    if (value === undefined)
      throw new CliUsageError(`--kind: expected network, endpoint or host, not ${JSON.stringify(kind)}`);
    return value;
  });
  return { sinceRevision, kinds: [...new Set(kinds)], network: flags.network ?? '' };
}

/** The stderr note on a stream about to be resumed. */
export function retryNote(retry: WatchRetry): string {
  // grpc-js ends its connection errors with an empty "Resolution note: ".
  const details = retry.error?.details.replace(/\.? Resolution note: *$/, '');
  const why = retry.error ? `${details} (${retry.error.codeName})` : 'the agent closed the stream';
  const next = retry.sinceRevision === 0 ? 'listing again' : `resuming after revision ${retry.sinceRevision}`;
  return `Warning: watch: ${why}; ${next} in ${(retry.delayMs / 1000).toFixed(1)} s\n`;
}

/**
 * `mvnet watch [--since N] [--kind K]... [--network NAME] [--bookmarks]`: the host's changes, live, one
 * line each (a table for people, JSON lines with --output json), until Ctrl-C (io.signal).
 */
export function registerWatch(program: Command, ctx: CliContext): void {
  program
    .command('watch')
    .description("Follow the host's changes live, one line per event, until Ctrl-C")
    .option('--since <revision>', 'only the changes after this revision (default: the current state first)')
    .option('--kind <kind>', 'only objects of this kind: network, endpoint or host (repeatable)', collect)
    .option('--network <name>', 'only this network and its endpoints')
    .option('--bookmarks', 'also print BOOKMARK lines in the table (JSON always has them)')
    .addHelpText('after', HELP)
    .action(async (flags: WatchFlags) => {
      const options = watchOptionsFromFlags(flags);
      const events = ctx.client().watch({
        ...options,
        signal: ctx.io.signal,
        onRetry: (retry) => ctx.io.stderr(retryNote(retry)),
      });
      for await (const event of events) {
        const line = render(event, ctx.json, flags.bookmarks ?? false);
        if (line) ctx.io.stdout(line);
      }
    });
}

function render(event: WatchEvent, json: boolean, bookmarks: boolean): string | undefined {
  if (json) return watchEventJson(event);
  if (!event.relist && event.type === EventType.EVENT_TYPE_BOOKMARK && !bookmarks) return undefined;
  return watchEventLine(event);
}
