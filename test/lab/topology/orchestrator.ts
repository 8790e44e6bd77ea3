/**
 * The orchestrator of the lab: what a real one is, a program in its own place (the lab's root
 * namespace) that reaches each host's agent over the management network, and only through the SDK
 * (one AgentClient per host) and the `mvnet` CLI (run as a process, as a person or a script would).
 * Every call and every command goes into orchestrator.log as one readable line with its outcome.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { AgentClient, MvnetError } from '../../../client/src';
import { findRepoRoot } from '../../../tools/findRepoRoot';
import type { LabLog } from './LabLog';

/** What a CLI command gave: its exit status and its output. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Where the orchestrator finds each host's agent. */
export interface AgentAddresses {
  address(host: string): string;
}

const CLI_TIMEOUT_MS = 60_000;

export class Orchestrator {
  private readonly clients = new Map<string, AgentClient>();
  private readonly opened: AgentClient[] = [];
  private readonly cliMain = path.join(findRepoRoot(), 'dist/client/src/cli/main.js');

  constructor(
    private readonly agents: AgentAddresses,
    private readonly log: LabLog,
  ) {
    if (!fs.existsSync(this.cliMain)) throw new Error(`${this.cliMain} is missing: run npm run build`);
  }

  /** The host's SDK client (opened on first use); each call is logged with its outcome. */
  sdk(host: string): AgentClient {
    return this.clients.get(host) ?? this.reconnect(host);
  }

  /**
   * A new SDK client for the host, used by sdk() from now on; the previous ones stay open (a watch on
   * one goes on) until close(). After an agent restart, a client whose connection broke may fail
   * calls with UNAVAILABLE until grpc's reconnect backoff (at most 10 s) has passed; a new one does not.
   */
  reconnect(host: string): AgentClient {
    const client = new AgentClient({ host: this.agents.address(host) });
    this.opened.push(client);
    const logged = loggedClient(client, (text) => this.log.command(host, text));
    this.clients.set(host, logged);
    return logged;
  }

  /**
   * Runs `mvnet --host <the host's agent> ARGS...` (dist/client/src/cli/main.js) and resolves its exit
   * status and output, whatever the status; the command line and its outcome are logged.
   */
  async cli(host: string, args: string[]): Promise<CliResult> {
    return this.run(host, ['--host', this.agents.address(host), ...args]);
  }

  /** Runs `mvnet fleet ARGS...`, which reaches the hosts its file names (no --host); logged as `fleet`. */
  async fleetCli(args: string[]): Promise<CliResult> {
    return this.run('fleet', ['fleet', ...args]);
  }

  private async run(who: string, argv: string[]): Promise<CliResult> {
    const started = Date.now();
    const result = await runProcess(process.execPath, [this.cliMain, ...argv]);
    const output = [
      ...lines(result.stdout).map((l) => `    | ${l}`),
      ...lines(result.stderr).map((l) => `    ! ${l}`),
    ];
    const shown =
      output.length > 24 ? [...output.slice(0, 24), `    ... ${output.length - 24} more lines`] : output;
    this.log.command(
      who,
      [
        `cli: mvnet ${argv.map(quote).join(' ')} -> exit ${result.code} in ${Date.now() - started} ms`,
        ...shown,
      ].join('\n'),
    );
    return result;
  }

  /** cli(), failing unless the command exits 0; resolves its stdout. */
  async cliOk(host: string, args: string[]): Promise<string> {
    const result = await this.cli(host, args);
    if (result.code !== 0)
      throw new Error(`${host}: mvnet ${args.join(' ')} exited with ${result.code}: ${result.stderr.trim()}`);
    return result.stdout;
  }

  /** cliOk() with `--output json`, its stdout parsed. */
  async cliJson<T>(host: string, args: string[]): Promise<T> {
    return JSON.parse(await this.cliOk(host, ['--output', 'json', ...args])) as T;
  }

  close(): void {
    for (const client of this.opened) client.close();
    this.opened.length = 0;
    this.clients.clear();
  }
}

/**
 * The client, with every method call logged: `sdk createNetwork({...}) -> ok in 41 ms: {...}` or
 * `-> NOT_FOUND in 3 ms: ...`. `watch` is logged when opened (its events are the caller's to show).
 */
function loggedClient(client: AgentClient, write: (text: string) => void): AgentClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string' || property === 'close') return value;
      return (...args: unknown[]) => {
        const call = `sdk ${property}(${args.map((a) => JSON.stringify(a)).join(', ')})`;
        const started = Date.now();
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) {
          write(`${call} -> opened`);
          return result;
        }
        const took = () => `in ${Date.now() - started} ms`;
        return result.then(
          (ok: unknown) => {
            write(`${call} -> ok ${took()}: ${shorten(JSON.stringify(ok) ?? 'undefined')}`);
            return ok;
          },
          (err: unknown) => {
            const what =
              err instanceof MvnetError ? `${err.codeName} ${took()}: ${err.details}` : String(err);
            write(`${call} -> ${what}`);
            throw err;
          },
        );
      };
    },
  });
}

function shorten(text: string, max = 400): string {
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length} characters)`;
}

function lines(text: string): string[] {
  const trimmed = text.trimEnd();
  return trimmed === '' ? [] : trimmed.split('\n');
}

/** A word of a command line as a shell would need it, for the log only. */
function quote(word: string): string {
  return /^[A-Za-z0-9_./:=@,+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function runProcess(file: string, args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, stdout, stderr: signal ? `${stderr}(killed by ${signal})\n` : stderr });
    });
  });
}
