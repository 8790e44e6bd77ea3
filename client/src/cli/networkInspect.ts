import type { Command } from 'commander';
import type { Network } from '../../../proto/gen/mvnet/v1/network';
import type { CliContext } from './CliContext';
import { dockerNetworkView } from './dockerNetworkView';
import { renderJson } from './format';
import { describeNetworkError, isAgentUnreachable } from './reportError';

/**
 * `mvnet network inspect NAME...`: a JSON array shaped like `docker network inspect`, whatever --output
 * says. As Docker does, the networks found are printed even when others are not (`Error: No such
 * network: X` on stderr, exit status 1).
 */
export function registerNetworkInspect(network: Command, ctx: CliContext): void {
  network
    .command('inspect')
    .description('Display detailed information on one or more networks')
    .argument('<name...>', 'network names')
    .action(async (names: string[]) => {
      const found: Network[] = [];
      const errors: string[] = [];
      for (const name of names) {
        try {
          found.push(await ctx.client().getNetwork(name));
        } catch (err) {
          if (isAgentUnreachable(err)) throw err;
          errors.push(describeNetworkError(err, name));
        }
      }
      ctx.io.stdout(renderJson(found.map(dockerNetworkView)));
      for (const line of errors) ctx.io.stderr(`${line}\n`);
      if (errors.length > 0) ctx.exitCode = 1;
    });
}
