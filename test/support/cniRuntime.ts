/**
 * A CNI plugin executed as a container runtime executes it (CNI spec 1.1.0, "Execution protocol"):
 * a process per call whose environment holds only the CNI_* variables and PATH, the network config
 * as JSON on stdin, and on stdout either the result (exit status 0) or an error object
 * `{cniVersion, code, msg, details}` (non-zero). Like libcni, the runtime keeps each ADD's result and
 * hands it back as `prevResult` to CHECK and DEL of that attachment.
 *
 * Generic: it runs Debian's `/usr/lib/cni/macvlan` (whose IPAM plugin it finds through CNI_PATH) as
 * well as `mvnet-cni`. A runtime runs plugins in its own (the host's) network namespace: `hostNetns`
 * starts the plugin under `ip netns exec NAME`, which keeps the environment as it is.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

/** The verbs of the CNI spec 1.1.0. */
export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'STATUS' | 'GC' | 'VERSION';

/** A network config as the runtime writes it to the plugin's stdin. */
export type CniConfig = Record<string, unknown>;

/** The spec's error object (on stdout, exit status non-zero). */
export interface CniError {
  cniVersion?: string;
  code: number;
  msg: string;
  details?: string;
}

export interface CniInterface {
  name: string;
  mac?: string;
  mtu?: number;
  sandbox?: string;
}

export interface CniIpConfig {
  address: string;
  gateway?: string;
  interface?: number;
}

/** The spec's success result for ADD (and what CHECK and DEL get back as prevResult). */
export interface CniResult {
  cniVersion: string;
  interfaces?: CniInterface[];
  ips?: CniIpConfig[];
  routes?: { dst: string; gw?: string }[];
  dns?: Record<string, unknown>;
}

/** Who a call is about: CNI_CONTAINERID, CNI_NETNS (a path), CNI_IFNAME, CNI_ARGS. */
export interface CniAttachment {
  containerId: string;
  netns: string;
  ifname: string;
  /** CNI_ARGS: `IgnoreUnknown=1;MAC=...;IP=...`. */
  args?: string;
}

/** How one execution ended. */
export interface CniOutcome {
  /** The exit status; null when a signal ended it (the timeout's SIGKILL). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed, when the exit status is 0 and stdout is JSON (DEL may print nothing). */
  result?: CniResult;
  /** stdout parsed, when the exit status is not 0 and stdout is the spec's error object. */
  error?: CniError;
}

export interface CniRuntimeOptions {
  /** The plugin's executable. */
  plugin: string;
  /** CNI_PATH, where the plugin finds its delegates (IPAM); default: the plugin's directory. */
  cniPath?: string;
  /** The runtime's own network namespace (a name under /run/netns); default: this process's. */
  hostNetns?: string;
  /** After this long the plugin is killed (SIGKILL) and the outcome has exitCode null. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 20_000;

/** Parses `text` as JSON; undefined when it is empty or not JSON. */
function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isErrorObject(value: unknown): value is CniError {
  const v = value as CniError | undefined;
  return typeof v === 'object' && v !== null && typeof v.code === 'number' && typeof v.msg === 'string';
}

/** One runtime executing one plugin; see the top of this file. */
export class CniRuntime {
  private readonly results = new Map<string, CniResult>();

  constructor(private readonly options: CniRuntimeOptions) {}

  /** ADD; a success is kept as the attachment's prevResult for CHECK and DEL. */
  async add(config: CniConfig, attachment: CniAttachment): Promise<CniOutcome> {
    const outcome = await this.exec('ADD', config, attachment);
    if (outcome.result) this.results.set(CniRuntime.key(attachment), outcome.result);
    return outcome;
  }

  /** CHECK with the last ADD's result as prevResult (required by the spec). */
  check(config: CniConfig, attachment: CniAttachment): Promise<CniOutcome> {
    return this.exec('CHECK', this.withPrevResult(config, attachment), attachment);
  }

  /** DEL with the last ADD's result as prevResult when there is one; forgets it on success. */
  async del(config: CniConfig, attachment: CniAttachment): Promise<CniOutcome> {
    const outcome = await this.exec('DEL', this.withPrevResult(config, attachment), attachment);
    if (outcome.exitCode === 0) this.results.delete(CniRuntime.key(attachment));
    return outcome;
  }

  /** The result of the attachment's last successful ADD, if any. */
  resultOf(attachment: CniAttachment): CniResult | undefined {
    return this.results.get(CniRuntime.key(attachment));
  }

  /**
   * Executes the plugin once: `command` with the attachment's variables (all but CNI_COMMAND and
   * CNI_PATH may be left out, as for VERSION and STATUS), `config` on stdin.
   */
  exec(command: CniCommand, config: CniConfig, attachment?: Partial<CniAttachment>): Promise<CniOutcome> {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
      CNI_COMMAND: command,
      CNI_PATH: this.options.cniPath ?? path.dirname(this.options.plugin),
    };
    if (attachment?.containerId !== undefined) env.CNI_CONTAINERID = attachment.containerId;
    if (attachment?.netns !== undefined) env.CNI_NETNS = attachment.netns;
    if (attachment?.ifname !== undefined) env.CNI_IFNAME = attachment.ifname;
    if (attachment?.args !== undefined) env.CNI_ARGS = attachment.args;
    const argv = this.options.hostNetns
      ? ['ip', 'netns', 'exec', this.options.hostNetns, this.options.plugin]
      : [this.options.plugin];
    return run(argv, env, JSON.stringify(config), this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }

  private withPrevResult(config: CniConfig, attachment: CniAttachment): CniConfig {
    const prev = this.results.get(CniRuntime.key(attachment));
    return prev ? { ...config, prevResult: prev } : config;
  }

  private static key(a: CniAttachment): string {
    return `${a.containerId}/${a.ifname}`;
  }
}

/** Runs `argv` with exactly `env`, `stdin` written and closed; resolves however it ends. */
function run(
  argv: string[],
  env: Record<string, string>,
  stdin: string,
  timeoutMs: number,
): Promise<CniOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${argv.join(' ')}: ${err.message}`));
    });
    // A plugin that fails before reading its stdin closes the pipe: that is its outcome, not ours.
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      const parsed = parseJson(stdout);
      const outcome: CniOutcome = { exitCode, stdout, stderr };
      if (exitCode === 0 && typeof parsed === 'object' && parsed !== null)
        outcome.result = parsed as CniResult;
      if (exitCode !== 0 && isErrorObject(parsed)) outcome.error = parsed;
      resolve(outcome);
    });
  });
}
