import type { Command } from 'commander';
import type { Endpoint } from '../../../proto/gen/mvnet/v1/endpoint';
import type { CliContext } from './CliContext';
import { findContainerEndpoints } from './findContainerEndpoints';
import { renderJson } from './format';
import { describeNetworkError, isAgentUnreachable } from './reportError';

/**
 * `mvnet network disconnect NETWORK TARGET`: detaches a container from a network, TARGET being the
 * endpoint's name or the container's netns (see findContainerEndpoints). Prints nothing, as Docker
 * does, or the removed endpoints with --output json. The agent's delete is idempotent, so the
 * endpoints are looked up first: as in Docker, a container that is not connected is an error.
 */
export function registerNetworkDisconnect(network: Command, ctx: CliContext): void {
  network
    .command('disconnect')
    .description('Disconnect a container from a network')
    .argument('<network>', 'network name')
    .argument('<target>', "the endpoint's name, or the container's network namespace")
    .action(async (networkName: string, target: string) => {
      const endpoints = await endpointsToDisconnect(ctx, networkName, target);
      if (!endpoints) return;
      const removed: { network: string; name: string; revision: number }[] = [];
      for (const { name } of endpoints) {
        const { revision } = await ctx.client().deleteEndpoint(networkName, name);
        removed.push({ network: networkName, name, revision });
      }
      if (ctx.json) ctx.io.stdout(renderJson(removed));
    });
}

/** The endpoints TARGET means on the network; undefined, reported, when there are none or no network. */
async function endpointsToDisconnect(
  ctx: CliContext,
  networkName: string,
  target: string,
): Promise<Endpoint[] | undefined> {
  let error: string;
  try {
    const { endpoints } = await ctx.client().listEndpoints(networkName);
    const found = findContainerEndpoints(endpoints, target);
    if (found.length > 0) return found;
    error = `Error: endpoint ${target} is not connected to network ${networkName}`;
  } catch (err) {
    if (isAgentUnreachable(err)) throw err;
    error = describeNetworkError(err, networkName);
  }
  ctx.io.stderr(`${error}\n`);
  ctx.exitCode = 1;
  return undefined;
}
