import { DEFAULT_HOST, isLocalHost } from '../localHost';
import { CniCode, CniError } from './cniError';

export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'STATUS' | 'GC' | 'VERSION';
const COMMANDS: readonly CniCommand[] = ['ADD', 'DEL', 'CHECK', 'STATUS', 'GC', 'VERSION'];

/** The spec versions whose configs and results this plugin speaks (0.4.0's result adds `version` to each IP). */
export const SUPPORTED_VERSIONS = ['0.4.0', '1.0.0', '1.1.0'] as const;

/** Where the agent listens by default: its unix socket (the SDK's default host). */
export const DEFAULT_AGENT = DEFAULT_HOST;

/** Bounds of what a runtime may hand the plugin. */
const MAX_CONFIG_BYTES = 1024 * 1024;
const MAX_CNI_ARGS_BYTES = 4096;
const MAX_CONTAINER_ID = 255;
const MAX_ATTACHMENTS = 100_000;

/** An attachment the runtime still has (GC's `cni.dev/valid-attachments`). */
export interface Attachment {
  containerID: string;
  ifname: string;
}

export interface CniConfig {
  cniVersion: string;
  /** The CNI network's name (the config's `name`). */
  name: string;
  /** The mvnet network (`network`, default `name`). */
  network: string;
  /** The agent's address (`agent`): unix:///path or a loopback host:port. */
  agent: string;
  /** A MAC asked for (runtimeConfig.mac, args.cni.mac or CNI_ARGS MAC=), or "". */
  mac: string;
  /** Addresses asked for (runtimeConfig.ips, args.cni.ips or CNI_ARGS IP=), each with or without a prefix. */
  ips: string[];
  prevResult?: Record<string, unknown>;
  validAttachments?: Attachment[];
}

/** One call of the plugin, as the runtime made it. */
export interface CniRequest {
  command: CniCommand;
  containerId: string;
  /** CNI_NETNS: a path; "" when not given (DEL may come without it). */
  netns: string;
  ifname: string;
  config: CniConfig;
}

const invalidEnv = (message: string) => new CniError(CniCode.INVALID_ENVIRONMENT, message);
const invalidConfig = (message: string) => new CniError(CniCode.INVALID_NETWORK_CONFIG, message);

/** CNI_COMMAND alone: VERSION needs nothing else. */
export function readCommand(env: NodeJS.ProcessEnv): CniCommand {
  const command = env.CNI_COMMAND ?? '';
  if (!(COMMANDS as readonly string[]).includes(command))
    throw invalidEnv(`CNI_COMMAND ${JSON.stringify(command.slice(0, 32))}: one of ${COMMANDS.join(', ')}`);
  return command as CniCommand;
}

/** The environment and the network config of a call, checked; a refusal names what is wrong and changes nothing. */
export function readCniRequest(env: NodeJS.ProcessEnv, stdin: string): CniRequest {
  const command = readCommand(env);
  const perContainer = command === 'ADD' || command === 'DEL' || command === 'CHECK';
  const containerId = env.CNI_CONTAINERID ?? '';
  const ifname = env.CNI_IFNAME ?? '';
  const netns = env.CNI_NETNS ?? '';
  if (perContainer) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(containerId) || containerId.length > MAX_CONTAINER_ID)
      throw invalidEnv(
        `CNI_CONTAINERID: 1-${MAX_CONTAINER_ID} characters of A-Z a-z 0-9 _ . -, starting with a letter or digit`,
      );
    if (
      !/^[^/:\s]{1,15}$/.test(ifname) ||
      ifname === '.' ||
      ifname === '..' ||
      Buffer.byteLength(ifname) > 15
    )
      throw invalidEnv(
        `CNI_IFNAME ${JSON.stringify(ifname.slice(0, 32))}: an interface name of 1-15 bytes, without / : or spaces`,
      );
  }
  if ((command === 'ADD' || command === 'CHECK') && netns === '')
    throw invalidEnv('CNI_NETNS: required for ' + command);
  if (netns !== '' && (!netns.startsWith('/') || netns.length > 4096))
    throw invalidEnv(
      `CNI_NETNS ${JSON.stringify(netns.slice(0, 64))}: the absolute path of the container's network namespace`,
    );
  const cniArgs = readCniArgs(env.CNI_ARGS ?? '');
  return { command, containerId, netns, ifname, config: readConfig(stdin, cniArgs) };
}

/** CNI_ARGS: `K=V;K2=V2`. IP and MAC are taken; any other key is an error unless IgnoreUnknown=1 (libcni's rule). */
function readCniArgs(text: string): Map<string, string> {
  if (Buffer.byteLength(text) > MAX_CNI_ARGS_BYTES)
    throw invalidEnv(`CNI_ARGS: at most ${MAX_CNI_ARGS_BYTES} bytes`);
  const args = new Map<string, string>();
  for (const pair of text.split(';')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw invalidEnv(`CNI_ARGS: ${JSON.stringify(pair.slice(0, 64))} is not KEY=VALUE`);
    args.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  const ignoreUnknown = /^(1|true)$/i.test(args.get('IgnoreUnknown') ?? '');
  for (const key of args.keys()) {
    if (!['IP', 'MAC', 'IgnoreUnknown'].includes(key) && !ignoreUnknown)
      throw invalidEnv(
        `CNI_ARGS: unknown key ${JSON.stringify(key.slice(0, 64))} (this plugin takes IP and MAC; IgnoreUnknown=1 skips others)`,
      );
  }
  return args;
}

function readConfig(stdin: string, cniArgs: Map<string, string>): CniConfig {
  if (Buffer.byteLength(stdin) > MAX_CONFIG_BYTES)
    throw new CniError(CniCode.DECODING_FAILURE, `the network config is over ${MAX_CONFIG_BYTES} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdin);
  } catch (err) {
    throw new CniError(CniCode.DECODING_FAILURE, `the network config is not JSON: ${(err as Error).message}`);
  }
  if (!isObject(parsed))
    throw new CniError(CniCode.DECODING_FAILURE, 'the network config is not a JSON object');
  const cniVersion = text(parsed, 'cniVersion');
  if (!(SUPPORTED_VERSIONS as readonly string[]).includes(cniVersion))
    throw new CniError(
      CniCode.INCOMPATIBLE_VERSION,
      `cniVersion ${JSON.stringify(cniVersion.slice(0, 16))}: this plugin speaks ${SUPPORTED_VERSIONS.join(', ')}`,
    );
  const name = text(parsed, 'name');
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,252}$/.test(name))
    throw invalidConfig(
      `name ${JSON.stringify(name.slice(0, 64))}: the network's name, 1-253 characters of A-Z a-z 0-9 _ . -`,
    );
  const network = parsed.network === undefined ? name : text(parsed, 'network');
  const agent = parsed.agent === undefined ? DEFAULT_AGENT : text(parsed, 'agent');
  checkAgentAddress(agent);
  const runtime = objectAt(parsed, 'runtimeConfig');
  const cniArgsField = objectAt(objectAt(parsed, 'args'), 'cni');
  const mac = firstOf(
    stringAt(runtime, 'mac', 'runtimeConfig.mac'),
    stringAt(cniArgsField, 'mac', 'args.cni.mac'),
    cniArgs.get('MAC'),
  );
  const ips =
    listAt(runtime, 'ips', 'runtimeConfig.ips') ??
    listAt(cniArgsField, 'ips', 'args.cni.ips') ??
    (cniArgs.get('IP') ?? '').split(',').filter(Boolean);
  if (ips.length > 2) throw invalidConfig(`ips: ${ips.length} addresses: at most one IPv4 and one IPv6`);
  const prevResult = parsed.prevResult === undefined ? undefined : objectAt(parsed, 'prevResult');
  return {
    cniVersion,
    name,
    network,
    agent,
    mac: mac ?? '',
    ips,
    prevResult,
    validAttachments: attachments(parsed),
  };
}

/** The path of `unix:///path` (or `unix:/path`); undefined for a TCP address. */
export function unixSocketPath(address: string): string | undefined {
  if (!address.startsWith('unix:')) return undefined;
  return address.startsWith('unix://') ? address.slice('unix://'.length) : address.slice('unix:'.length);
}

/** The plugin speaks plaintext, to the agent on this machine only: its unix socket or a loopback port. */
function checkAgentAddress(agent: string): void {
  const socket = unixSocketPath(agent);
  if (socket !== undefined && socket.startsWith('/') && !/\s/.test(socket)) return;
  const match = /^(?:\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(agent);
  if (socket === undefined && match && Number(match[1]) <= 65535 && isLocalHost(agent)) return;
  throw invalidConfig(
    `agent ${JSON.stringify(agent.slice(0, 64))}: the local agent's unix socket (unix:///run/mvnet/agent.sock) or a loopback host:port`,
  );
}

function attachments(config: Record<string, unknown>): Attachment[] | undefined {
  const value = config['cni.dev/valid-attachments'];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > MAX_ATTACHMENTS)
    throw invalidConfig(
      `cni.dev/valid-attachments: a list of at most ${MAX_ATTACHMENTS} {containerID, ifname}`,
    );
  return value.map((entry: unknown, i) => {
    if (!isObject(entry) || typeof entry.containerID !== 'string' || typeof entry.ifname !== 'string')
      throw invalidConfig(`cni.dev/valid-attachments[${i}]: {"containerID": "...", "ifname": "..."}`);
    return { containerID: entry.containerID, ifname: entry.ifname };
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(config: Record<string, unknown>, key: string): string {
  const value = config[key];
  if (typeof value !== 'string') throw invalidConfig(`${key}: required, a string`);
  return value;
}

function objectAt(
  config: Record<string, unknown> | undefined,
  key: string,
): Record<string, unknown> | undefined {
  const value = config?.[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw invalidConfig(`${key}: an object`);
  return value;
}

function stringAt(
  config: Record<string, unknown> | undefined,
  key: string,
  field: string,
): string | undefined {
  const value = config?.[key];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > 64) throw invalidConfig(`${field}: a string`);
  return value;
}

function listAt(
  config: Record<string, unknown> | undefined,
  key: string,
  field: string,
): string[] | undefined {
  const value = config?.[key];
  if (value === undefined) return undefined;
  if (
    !Array.isArray(value) ||
    value.length > 2 ||
    !value.every((v) => typeof v === 'string' && v.length <= 64)
  )
    throw invalidConfig(`${field}: at most two addresses, e.g. ["10.1.2.3/24", "fd00::3/64"]`);
  return value as string[];
}

function firstOf(...values: (string | undefined)[]): string | undefined {
  return values.find((v) => v !== undefined && v !== '');
}
