import type { Command } from 'commander';
import { Status } from 'nice-grpc';
import { MvnetError } from '../errors';
import type { CliContext } from './CliContext';
import { renderJson } from './format';
import { describeNetworkError, isAgentUnreachable } from './reportError';

/**
 * `mvnet network rm NAME...` (alias `remove`): removes each network in turn, printing its name; a
 * failure is reported and the next one tried, and the exit status is 1 if any failed. `--force` also
 * removes the networks' endpoints (the agent's force), and, as Docker's `-f`, does not count a network
 * that does not exist as a failure.
 */
export function registerNetworkRm(network: Command, ctx: CliContext): void {
  network
    .command('rm')
    .alias('remove')
    .description('Remove one or more networks')
    .argument('<name...>', 'network names')
    .option('-f, --force', "also remove the networks' endpoints; do not fail on a missing network")
    .action(async (names: string[], flags: { force?: boolean }) => {
      const force = flags.force ?? false;
      const removed: { name: string; revision: number }[] = [];
      for (const name of names) {
        try {
          const { revision } = await ctx.client().deleteNetwork(name, { force });
          removed.push({ name, revision });
          if (!ctx.json) ctx.io.stdout(`${name}\n`);
        } catch (err) {
          if (isAgentUnreachable(err)) throw err;
          if (force && err instanceof MvnetError && err.code === Status.NOT_FOUND) continue;
          ctx.io.stderr(`${describeNetworkError(err, name)}\n`);
          ctx.exitCode = 1;
        }
      }
      if (ctx.json) ctx.io.stdout(renderJson(removed));
    });
}
