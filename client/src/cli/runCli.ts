import { Command, Option } from 'commander';
import { DEFAULT_HOST } from '../connection';
import { CliContext, type CliIo } from './CliContext';
import { mvnetVersion } from '../../../common/mvnetVersion';
import { CliUsageError } from './CliUsageError';
import { registerApply } from './apply';
import { registerEndpointLs } from './endpointLs';
import { registerExport } from './export';
import { registerFleet } from './fleet';
import { registerHealth } from './health';
import { registerHostInfo } from './hostInfo';
import { registerNetworkConnect } from './networkConnect';
import { registerNetworkCreate } from './networkCreate';
import { registerNetworkDisconnect } from './networkDisconnect';
import { registerNetworkInspect } from './networkInspect';
import { registerNetworkLs } from './networkLs';
import { registerNetworkRm } from './networkRm';
import { reportError } from './reportError';
import { registerWatch } from './watch';

export type { CliIo } from './CliContext';

/**
 * The command tree. exitOverride and configureOutput come first: subcommands copy them when created,
 * so that no command ever calls process.exit or writes anywhere but through `io`.
 */
function buildProgram(io: CliIo): { program: Command; ctx: CliContext } {
  const program = new Command('mvnet')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError('(add --help for usage)')
    .description('Manage Docker-style macvlan networks on hosts running mvnet-agent')
    .version(mvnetVersion(), '-v, --version', 'print the version')
    .option(
      '--host <host>',
      `agent to talk to: host:port, [ipv6]:port or unix:///path (env MVNET_HOST; default ${DEFAULT_HOST})`,
    )
    .option('--tls', "use TLS, without verifying the agent's certificate")
    .option(
      '--tlsverify',
      "use TLS and verify the agent's certificate against --tlscacert (env MVNET_TLS_VERIFY)",
    )
    .option(
      '--tlscacert <file>',
      'CA that signed the agent certificate (default $MVNET_CERT_PATH/ca.pem, ~/.mvnet)',
    )
    .option('--tlscert <file>', 'client certificate (default $MVNET_CERT_PATH/cert.pem, if there)')
    .option('--tlskey <file>', 'client key (default $MVNET_CERT_PATH/key.pem, if there)')
    .option('--token <token>', 'bearer token for the agent (env MVNET_TOKEN, which stays out of ps)')
    .addOption(
      new Option('--output <format>', 'output format (yaml: export only)')
        .choices(['table', 'json', 'yaml'])
        .default('table'),
    )
    .hook('preAction', (_program, command) => {
      if (program.opts<{ output: string }>().output === 'yaml' && command.name() !== 'export')
        throw new CliUsageError('--output yaml: only mvnet export writes YAML; use table or json');
    });
  const ctx = new CliContext(io, program);
  const network = program.command('network').description('Manage networks');
  registerNetworkCreate(network, ctx);
  registerNetworkLs(network, ctx);
  registerNetworkInspect(network, ctx);
  registerNetworkRm(network, ctx);
  registerNetworkConnect(network, ctx);
  registerNetworkDisconnect(network, ctx);
  const endpoint = program
    .command('endpoint')
    .description('Manage endpoints: containers attached to networks');
  registerEndpointLs(endpoint, ctx);
  const host = program.command('host').description("Inspect the agent's host");
  registerHostInfo(host, ctx);
  registerWatch(program, ctx);
  registerApply(program, ctx);
  registerExport(program, ctx);
  registerFleet(program, ctx);
  registerHealth(program, ctx);
  return { program, ctx };
}

/**
 * Runs one `mvnet` command line (`argv` without node and the script) and returns its exit status:
 * 0 on success, 1 when the agent refused or failed (`Error: <details> (<CODE>)` on stderr), 2 for a
 * command line refused before any call. Never exits the process; tests call it in-process.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const { program, ctx } = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    return reportError(err, (s) => io.stderr(s));
  } finally {
    ctx.close();
  }
}
