import type { Command } from 'commander';
import type { CliContext } from './CliContext';
import { dockerNetworkView } from './dockerNetworkView';
import { renderJson } from './format';
import { describeNetworkError, isAgentUnreachable } from './reportError';

/**
 * `mvnet network inspect NAME...`: a JSON array shaped like `docker network inspect`, whatever --output
 * says, with each network's endpoints under `Containers`. As Docker does, the networks found are
 * printed even when others are not (`Error: No such network: X` on stderr, exit status 1).
 */
export function registerNetworkInspect(network: Command, ctx: CliContext): void {
  network
    .command('inspect')
    .description('Display detailed information on one or more networks')
    .argument('<name...>', 'network names')
    .action(async (names: string[]) => {
      const found: Record<string, unknown>[] = [];
      const errors: string[] = [];
      const client = ctx.client();
      for (const name of names) {
        try {
          const [network, { endpoints }] = await Promise.all([
            client.getNetwork(name),
            client.listEndpoints(name),
          ]);
          found.push(dockerNetworkView(network, endpoints));
        } catch (err) {
          if (isAgentUnreachable(err)) throw err;
          errors.push(describeNetworkError(err, name));
        }
      }
      ctx.io.stdout(renderJson(found));
      for (const line of errors) ctx.io.stderr(`${line}\n`);
      if (errors.length > 0) ctx.exitCode = 1;
    });
}
