import type { Command } from 'commander';
import type { CliContext } from './CliContext';
import { renderJson } from './format';

/**
 * `mvnet health [SERVICE]`: asks the agent's grpc.health.v1 service whether it serves (the whole
 * server, or one service such as mvnet.v1.AgentService), prints SERVING or NOT_SERVING, and exits 0
 * only when it serves: a container's HEALTHCHECK and scripts need nothing else. Pointed at the agent's
 * --health-listen address, it needs no credentials; an agent that cannot be reached, or a service it
 * does not know, is an error (exit 1).
 */
export function registerHealth(program: Command, ctx: CliContext): void {
  program
    .command('health')
    .description('Check the agent through gRPC health: exit 0 when it is SERVING')
    .argument('[service]', 'a service name, such as mvnet.v1.AgentService (default: the whole server)', '')
    .action(async (service: string) => {
      const serving = await ctx.client().checkHealth(service);
      const status = serving ? 'SERVING' : 'NOT_SERVING';
      ctx.io.stdout(ctx.json ? renderJson({ status }) : `${status}\n`);
      if (!serving) ctx.exitCode = 1;
    });
}
