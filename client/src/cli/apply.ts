import type { Command } from 'commander';
import {
  ApplyResponse,
  CancelApplyResponse,
  ConfirmApplyResponse,
} from '../../../proto/gen/mvnet/v1/agent_service';
import type { Spec } from '../../../proto/gen/mvnet/v1/apply';
import { confirmWithinDuration, type ApplyOptions, type ApplyResult } from '../applyRequest';
import { formatDuration, parseDuration } from '../duration';
import { quoteText } from '../../../common/quoteText';
import { parseSpec } from '../spec/parseSpec';
import { readSpecSource } from '../spec/readSpecSource';
import type { CliContext } from './CliContext';
import { CliUsageError } from './CliUsageError';
import { renderJson } from './format';
import { renderPlan } from './planDiff';

/** The flags of `mvnet apply`, as commander hands them over. */
export interface ApplyFlags {
  filename?: string;
  dryRun?: boolean;
  confirmWithin?: string;
  probeGateways?: boolean;
  expectedRevision?: string;
}

const HELP = `
The spec is the whole desired state of the host, in YAML or JSON (at most 4 MiB) with the proto's
JSON field names, as \`mvnet export\` writes it:

  networks:
    - name: vlan30
      parent: eth0.30
      mode: bridge                  # or MACVLAN_MODE_BRIDGE
      subnets: [{cidr: 10.30.0.0/24, gateway: 10.30.0.1}]
  endpoints:
    - {name: c1, network: vlan30, netns: c1, ipv4Address: 10.30.0.2}

Field names may also be the proto's (vlan_id). An unknown field, a wrong type, a bad enum value or a
key given twice is refused before anything is sent, every error at once, with its line. \`status\`
(output only) is ignored, so that JSON printed by the CLI can be pasted in.

What the host has and the spec lacks is deleted, except endpoints labelled mvnet.io/managed-by with
a value other than apply. The plan is printed as a diff (+ add, ~ change in place, -/+ replace,
- delete; unchanged objects are only counted), then the result. With --confirm-within the change
rolls back unless \`mvnet apply confirm ID\` comes in time (\`mvnet apply cancel ID\` rolls back now).
With --output json it prints the agent's ApplyResponse (plan, revision, applyId) instead.`;

/** The SDK's options for the flags, and the window as given, refused before any call when malformed. */
export function applyOptionsFromFlags(flags: ApplyFlags): ApplyOptions & { confirmWithinMs?: number } {
  const options: ApplyOptions & { confirmWithinMs?: number } = {
    dryRun: flags.dryRun ?? false,
    probeGateways: flags.probeGateways ?? false,
  };
  if (flags.expectedRevision !== undefined) {
    const revision = /^\d{1,16}$/.test(flags.expectedRevision) ? Number(flags.expectedRevision) : NaN;
    if (!Number.isSafeInteger(revision))
      throw new CliUsageError(
        `--expected-revision: expected a revision (a whole number), not ${quoteText(flags.expectedRevision)}`,
      );
    // The agent reads 0 as "any revision": refused here rather than silently checking nothing.
    if (revision === 0)
      throw new CliUsageError(
        '--expected-revision 0: revisions start at 1; leave the flag out to apply at any',
      );
    options.expectedRevision = revision;
  }
  if (flags.confirmWithin !== undefined) {
    try {
      options.confirmWithinMs = parseDuration(flags.confirmWithin);
      confirmWithinDuration(options.confirmWithinMs);
    } catch (err) {
      throw new CliUsageError(`--confirm-within: ${(err as Error).message.replace(/^confirmWithin: /, '')}`);
    }
    options.confirmWithin = options.confirmWithinMs;
  }
  if (options.probeGateways && options.confirmWithin === undefined)
    throw new CliUsageError('--probe-gateways needs --confirm-within: a failed probe rolls the change back');
  return options;
}

/**
 * What `apply` prints after the plan: what happened, and what to do next. An unchanged host with an
 * apply id is a retry of the apply that awaits confirmation: its window is its own, not this one's.
 */
export function applyOutcome(
  result: ApplyResult,
  options: ApplyOptions & { confirmWithinMs?: number },
): string {
  if (options.dryRun) return 'Dry run: nothing changed.\n';
  if (result.applyId === undefined)
    return result.changed
      ? `Applied at revision ${result.revision}.\n`
      : `The host stays at revision ${result.revision}.\n`;
  const confirm = `mvnet apply confirm ${result.applyId}`;
  if (!result.changed)
    return `The host stays at revision ${result.revision}: the apply awaiting confirmation made it.\nAwaiting confirmation: ${confirm} before its deadline (mvnet host info), or it rolls back.\n`;
  const within =
    options.confirmWithinMs === undefined ? '' : ` within ${formatDuration(options.confirmWithinMs)}`;
  return `Applied at revision ${result.revision}.\nAwaiting confirmation: ${confirm}${within}, or it rolls back.\n`;
}

/**
 * `mvnet apply -f FILE [--dry-run] [--confirm-within D] [--probe-gateways] [--expected-revision N]`,
 * `mvnet apply confirm ID` and `mvnet apply cancel ID`. The flags and the file are checked before any
 * call (exit status 2); the agent's refusal exits 1, with its field violations listed.
 */
export function registerApply(program: Command, ctx: CliContext): void {
  const apply = program
    .command('apply')
    .description('Make the host match a spec file, all or nothing (see also: apply confirm, apply cancel)')
    .usage('-f FILE|- [--dry-run] [--confirm-within DURATION [--probe-gateways]] [--expected-revision N]')
    .option('-f, --filename <file>', 'the spec: a YAML or JSON file, or - for standard input')
    .option('--dry-run', 'only print the plan; change nothing')
    .option(
      '--confirm-within <duration>',
      'roll back unless confirmed within this time: 1s to 1h (90s, 2m, 1m30s)',
    )
    .option(
      '--probe-gateways',
      'with --confirm-within: roll back unless every gateway of the spec answers ARP',
    )
    .option('--expected-revision <N>', 'refuse (ABORTED) unless the host is at this revision')
    .addHelpText('after', HELP)
    .action(async (flags: ApplyFlags) => {
      const options = applyOptionsFromFlags(flags);
      if (flags.filename === undefined)
        throw new CliUsageError('apply: give the spec with -f FILE (or -f - for standard input)');
      const spec = await readSpec(flags.filename, ctx);
      const result = await ctx.client().apply(spec, options);
      if (ctx.json)
        ctx.io.stdout(
          renderJson(
            ApplyResponse.toJSON({
              plan: result.plan,
              revision: result.revision,
              applyId: result.applyId ?? '',
            }),
          ),
        );
      else ctx.io.stdout(`${renderPlan(result.plan)}${applyOutcome(result, options)}`);
    });
  apply
    .command('confirm')
    .description('Keep an apply made with --confirm-within')
    .argument('<id>', 'the apply id that apply printed')
    .action(async (id: string) => {
      const { revision } = await ctx.client().confirmApply(id);
      ctx.io.stdout(
        ctx.json
          ? renderJson(ConfirmApplyResponse.toJSON({ revision }))
          : `Confirmed: the host stays at revision ${revision}.\n`,
      );
    });
  apply
    .command('cancel')
    .description('Roll back an apply that awaits confirmation, now')
    .argument('<id>', 'the apply id that apply printed')
    .action(async (id: string) => {
      const { revision } = await ctx.client().cancelApply(id);
      ctx.io.stdout(
        ctx.json
          ? renderJson(CancelApplyResponse.toJSON({ revision }))
          : `Rolled back at revision ${revision}.\n`,
      );
    });
}

/** The spec of `-f`, read and checked; any problem with it is a usage error (exit status 2). */
async function readSpec(file: string, ctx: CliContext): Promise<Spec> {
  try {
    const { text, source } = await readSpecSource(file, ctx.io.stdin);
    return parseSpec(text, source);
  } catch (err) {
    throw new CliUsageError((err as Error).message);
  }
}
