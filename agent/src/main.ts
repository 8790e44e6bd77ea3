#!/usr/bin/env node
import { Command, Option } from 'commander';
import pino from 'pino';
import { DEFAULT_EVENT_RETENTION_BYTES, DEFAULT_MAX_WATCHERS } from './domain/limits';
import { holdYoungGeneration } from './youngGeneration';
import { mvnetVersion } from '../../common/mvnetVersion';

/**
 * mvnet-agent: the per-host daemon. Flags and defaults as in DESIGN.md. The agent itself (startAgent
 * and all it imports) is loaded once the flags are read, with V8's young generation held at its first
 * size until it serves (youngGeneration.ts).
 */
async function main(): Promise<void> {
  const releaseYoungGeneration = holdYoungGeneration();
  const program = new Command('mvnet-agent')
    .description("Serves this host's macvlan networks, VLAN sub-interfaces and endpoints over gRPC")
    .version(mvnetVersion())
    .option(
      '--listen <address>',
      'unix:///path, or host:port (non-loopback needs TLS or --insecure); twice: a TCP address and a unix socket beside it',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--state-dir <dir>', 'durable state (SQLite)', '/var/lib/mvnet')
    .option('--netns <name>', 'manage this named network namespace as the host (default: the root namespace)')
    .option('--insecure', 'allow plaintext gRPC on a non-loopback address', false)
    .option('--tlscert <file>', 'serve TLS with this certificate (PEM; re-read when it changes)')
    .option('--tlskey <file>', "the certificate's private key (unencrypted PEM)")
    .option(
      '--tlsverify',
      'require a client certificate signed by --tlscacert (mutual TLS); its CN is the user',
    )
    .option('--tlscacert <file>', 'the CA certificates that sign client certificates (with --tlsverify)')
    .option(
      '--token-auth-file <file>',
      'bearer tokens, kube-apiserver\'s CSV: token,user,uid[,"group1,group2"] (read again on SIGHUP)',
    )
    .option(
      '--authorization-file <file>',
      'YAML naming the users of each role: viewer: [monitor], operator: [...] (read again on SIGHUP)',
    )
    .option('--health-listen <address>', 'also serve grpc.health.v1 alone, in plaintext, here (for probes)')
    .option(
      '--metrics-listen <address>',
      'serve Prometheus metrics on http://ADDRESS/metrics (host:port; loopback unless --metrics-insecure)',
    )
    .option('--metrics-insecure', 'allow --metrics-listen on a non-loopback address (metrics name networks)')
    .option('--group <name>', "the unix socket's group (name or gid): its members may connect")
    .option('--bookmark-interval <ms>', 'a quiet Watch stream gets a BOOKMARK this often', '10000')
    .option('--event-retention <revisions>', 'revisions the log keeps for Watch to replay', '10000')
    .option(
      '--event-retention-bytes <bytes>',
      'bytes of events the log keeps',
      String(DEFAULT_EVENT_RETENTION_BYTES),
    )
    .option('--max-watchers <n>', 'Watch streams served at once', String(DEFAULT_MAX_WATCHERS))
    .option(
      '--endpoint-check-interval <ms>',
      'how often to look for endpoints whose container went away (0: never)',
      '5000',
    )
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['trace', 'debug', 'info', 'warn', 'error'])
        .default('info'),
    )
    .parse();
  const opts = program.opts<{
    listen?: string[];
    stateDir: string;
    netns?: string;
    insecure: boolean;
    tlscert?: string;
    tlskey?: string;
    tlsverify?: boolean;
    tlscacert?: string;
    tokenAuthFile?: string;
    authorizationFile?: string;
    healthListen?: string;
    metricsListen?: string;
    metricsInsecure?: boolean;
    group?: string;
    logLevel: string;
    endpointCheckInterval: string;
    bookmarkInterval: string;
    eventRetention: string;
    eventRetentionBytes: string;
    maxWatchers: string;
  }>();
  const whole = (flag: string, text: string, min: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min)
      program.error(`${flag} ${text}: use a whole number of at least ${min}`);
    return value;
  };
  const checkIntervalMs = whole('--endpoint-check-interval', opts.endpointCheckInterval, 0);
  const bookmarkIntervalMs = whole('--bookmark-interval', opts.bookmarkInterval, 10);
  const eventRetention = whole('--event-retention', opts.eventRetention, 1);
  const eventRetentionBytes = whole('--event-retention-bytes', opts.eventRetentionBytes, 0);
  const maxWatchers = whole('--max-watchers', opts.maxWatchers, 1);
  const logger = pino({ name: 'mvnet-agent', level: opts.logLevel });
  // A promise nobody awaited failed: a bug, logged, but the host's networks stay served (Node's
  // default would end the process, and with it every watch and the periodic checks).
  process.on('unhandledRejection', (reason) =>
    logger.error({ err: reason }, 'unhandled promise rejection (a bug): the agent goes on'),
  );
  let agent;
  try {
    const { startAgent } = await import('./startAgent');
    agent = await startAgent({
      ...opts,
      listen: opts.listen ?? ['unix:///run/mvnet/agent.sock'],
      tlsCert: opts.tlscert,
      tlsKey: opts.tlskey,
      tlsVerify: opts.tlsverify,
      tlsCaCert: opts.tlscacert,
      checkIntervalMs,
      bookmarkIntervalMs,
      eventRetention,
      eventRetentionBytes,
      maxWatchers,
      logger,
    });
  } catch (err) {
    logger.fatal({ err }, err instanceof Error ? err.message : String(err));
    process.stderr.write(`mvnet-agent: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  releaseYoungGeneration();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    agent.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // As dockerd: SIGHUP reloads configuration, here the token and authorization files (systemd's
  // ExecReload). A bad file is refused and logged, and the ones in force stay: a typo locks no one out.
  process.on('SIGHUP', () => agent.reloadAccess());
}

void main();
