import type { Command } from 'commander';
import { AgentClient } from '../AgentClient';
import { clientOptionsFromEnv } from '../clientOptionsFromEnv';
import { hostTarget } from '../connection';
import type { SpecInput } from '../spec/readSpecSource';
import { CliUsageError } from './CliUsageError';

/** Where the CLI writes and what environment it reads: the process's in `main.ts`, a fake one in tests. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  /**
   * Stops commands that run until interrupted (`watch`), which then exit 0: Ctrl-C in `main.ts`, an
   * AbortController in tests. Without it they run until the agent fails them.
   */
  signal?: AbortSignal;
  /** Standard input, for `apply -f -`: process.stdin in `main.ts`, chunks in tests. */
  stdin?: SpecInput;
  /**
   * Standard error when it is a terminal, for live displays (`fleet apply`'s progress): process.stderr
   * in `main.ts` when it is a TTY; absent when piped and in tests, where plain lines go to stderr().
   */
  terminal?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

/** The global options, given before or after the command. */
export interface GlobalOptions {
  host?: string;
  /** `yaml` only for `export` (runCli refuses it elsewhere); `table` is export's YAML too. */
  output: 'json' | 'table' | 'yaml';
  tls?: boolean;
  tlsverify?: boolean;
  tlscacert?: string;
  tlscert?: string;
  tlskey?: string;
  token?: string;
}

/**
 * What every command's action needs: the output, the global options, one client for the whole run
 * (opened on first use, closed by runCli), and the exit status a command sets when some of its
 * objects failed without stopping it (`network rm a b` with `a` missing).
 */
export class CliContext {
  exitCode = 0;
  private agent: AgentClient | undefined;

  constructor(
    readonly io: CliIo,
    private readonly program: Command,
  ) {}

  get options(): GlobalOptions {
    return this.program.opts<GlobalOptions>();
  }

  /** True when --output json was asked for. */
  get json(): boolean {
    return this.options.output === 'json';
  }

  /** The agent client, connected to --host with the TLS flags and token (and their MVNET_* variables). */
  client(): AgentClient {
    if (!this.agent) {
      const { host, tls, tlsverify, tlscacert, tlscert, tlskey, token } = this.options;
      const options = clientOptionsFromEnv(this.io.env, {
        host,
        tls,
        tlsVerify: tlsverify,
        tlsCaCert: tlscacert,
        tlsCert: tlscert,
        tlsKey: tlskey,
        token,
      });
      try {
        hostTarget(options.host!);
      } catch (err) {
        throw new CliUsageError(`--host: ${(err as Error).message}`);
      }
      this.agent = new AgentClient(options);
    }
    return this.agent;
  }

  close(): void {
    this.agent?.close();
  }
}
