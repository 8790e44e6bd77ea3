import execa from 'execa';
import {
  CreateDummyOptions,
  CreateMacvlanOptions,
  CreateVlanOptions,
  KernelCapabilities,
  KernelError,
  LinkDriver,
  LinkInfo,
  MacvlanMode,
} from './LinkDriver';

/** The logger methods the driver uses; a pino logger fits. */
export interface KernelLogger {
  info(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface Iproute2DriverOptions {
  /** The named netns (`ip netns`) that is this driver's host; the caller's own namespace when absent. */
  netns?: string;
  logger?: KernelLogger;
}

/** The outcome of one process that ran to its end. */
export interface CommandResult {
  argv: readonly string[];
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs one process from an argv array (never through a shell) and returns its outcome, whatever its
 * exit code. Throws a KernelError only when the process could not run or was killed.
 */
export async function runCommand(argv: readonly string[], input?: string): Promise<CommandResult> {
  const [file, ...args] = argv;
  // LC_ALL=C: iproute2 prints strerror() text, which glibc translates; callers match on the English.
  const r = await execa(file, args, { reject: false, input, env: { LC_ALL: 'C' } });
  if (typeof r.exitCode !== 'number' || r.signal) {
    // With reject: false a spawn failure (ENOENT...) comes back as an ExecaError, carrying shortMessage.
    const why = (r as { shortMessage?: string }).shortMessage ?? `killed by ${r.signal}`;
    throw new KernelError(`cannot run ${file}: ${why}`, argv, undefined, r.stderr ?? '');
  }
  return { argv, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

/** The KernelError "cannot <action>: <first stderr line>", keeping argv, exit code and stderr for the logs. */
export function kernelErrorFrom(action: string, r: CommandResult): KernelError {
  const line = r.stderr.split('\n').find((l) => l.trim() !== '') ?? `exit code ${r.exitCode}`;
  const short = line.replace(/^(Error: |RTNETLINK answers: )/, '').trim();
  return new KernelError(`cannot ${action}: ${short}`, r.argv, r.exitCode, r.stderr);
}

/** Kinds whose IFLA_LINK is a lower link; a veth's IFLA_LINK is its peer, not a parent. */
const STACKED_KINDS = new Set(['vlan', 'macvlan', 'macvtap', 'ipvlan', 'ipvtap']);
const MACVLAN_MODES = new Set<string>(['bridge', 'private', 'vepa', 'passthru']);

/** One element of `ip -j -d link show`, as far as the driver reads it. */
interface IpLinkJson {
  ifindex: number;
  ifname: string;
  flags?: string[];
  mtu: number;
  operstate?: string;
  address?: string;
  link?: string;
  link_netnsid?: number;
  master?: string;
  ifalias?: string;
  linkinfo?: { info_kind?: string; info_data?: { id?: number; mode?: string; vlan_filtering?: number } };
}

function toLinkInfo(j: IpLinkJson): LinkInfo {
  const kind = j.linkinfo?.info_kind ?? '';
  const data = j.linkinfo?.info_data;
  const flags = j.flags ?? [];
  const info: LinkInfo = {
    name: j.ifname,
    index: j.ifindex,
    kind,
    mtu: j.mtu,
    adminUp: flags.includes('UP'),
    operState: j.operstate ?? 'UNKNOWN',
    mac: j.address ?? '',
    promiscuous: flags.includes('PROMISC'),
  };
  // With link_netnsid the lower lives in another namespace and `link` names nothing here.
  if (STACKED_KINDS.has(kind) && j.link !== undefined && j.link_netnsid === undefined) info.parent = j.link;
  if (j.master !== undefined) info.master = j.master;
  if (j.ifalias !== undefined) info.alias = j.ifalias;
  if (kind === 'vlan' && data?.id !== undefined) info.vlanId = data.id;
  if (kind === 'macvlan' && data?.mode !== undefined && MACVLAN_MODES.has(data.mode)) {
    info.macvlanMode = data.mode as MacvlanMode;
  }
  return info;
}

function parseLinks(stdout: string): IpLinkJson[] {
  return stdout.trim() === '' ? [] : (JSON.parse(stdout) as IpLinkJson[]);
}

/** What every `ip link add` of the driver takes. */
type NewLinkOptions = { name: string; alias: string; parent?: string; mtu?: number; mac?: string };

/** The kernel refuses 4095 and accepts 0 (priority tagging); neither is a usable VLAN for a network. */
function checkVlanId(name: string, vlanId: number): void {
  if (!Number.isInteger(vlanId) || vlanId < 1 || vlanId > 4094) {
    throw new KernelError(`cannot create vlan ${name}: vlan id ${vlanId} is outside 1..4094`);
  }
}

/**
 * The probe, fed to `ip -force -batch` in a fresh anonymous netns: each line may fail on its own, and
 * the final `link show` tells which links the kernel agreed to make. vlan and macvlan need an
 * Ethernet lower, hence the veth pair.
 */
const PROBE_SCRIPT = [
  'link add pv0 type veth peer name pv1',
  'link add link pv0 name pvlan type vlan id 10',
  'link add link pv0 name pmacvlan type macvlan mode bridge',
  'link add pdummy type dummy',
  'link add pbond type bond',
  'link add pbridge type bridge vlan_filtering 1',
  'link show',
].join('\n');

/** The LinkDriver on a real kernel, through iproute2 (`ip -j`), one process per operation. */
export class Iproute2Driver implements LinkDriver {
  private readonly netns?: string;
  private readonly logger?: KernelLogger;

  constructor(opts: Iproute2DriverOptions = {}) {
    this.netns = opts.netns;
    this.logger = opts.logger;
  }

  async listLinks(): Promise<LinkInfo[]> {
    const r = await this.ip(['-j', '-d', 'link', 'show']);
    if (r.exitCode !== 0) throw kernelErrorFrom('list links', r);
    return parseLinks(r.stdout).map(toLinkInfo);
  }

  async getLink(name: string): Promise<LinkInfo | undefined> {
    const r = await this.ip(['-j', '-d', 'link', 'show', 'dev', name]);
    if (r.exitCode === 0) return parseLinks(r.stdout).map(toLinkInfo)[0];
    if (r.stderr.includes('does not exist')) return undefined;
    throw kernelErrorFrom(`read link ${name}`, r);
  }

  async createVlan(o: CreateVlanOptions): Promise<void> {
    checkVlanId(o.name, o.vlanId);
    await this.addLink('vlan', o, ['id', String(o.vlanId)]);
  }

  async createDummy(o: CreateDummyOptions): Promise<void> {
    await this.addLink('dummy', o, []);
  }

  async createMacvlan(o: CreateMacvlanOptions): Promise<void> {
    await this.addLink('macvlan', o, ['mode', o.mode]);
  }

  async deleteLink(name: string): Promise<void> {
    const r = await this.ip(['link', 'del', 'dev', name]);
    if (r.exitCode === 0) {
      this.logger?.info({ link: name, argv: r.argv }, 'deleted link');
      return;
    }
    if (r.stderr.includes('Cannot find device')) return;
    throw kernelErrorFrom(`delete link ${name}`, r);
  }

  async setLinkUp(name: string): Promise<void> {
    await this.change(`set link ${name} up`, name, ['link', 'set', 'dev', name, 'up']);
  }

  async setPromiscuous(name: string, on: boolean): Promise<void> {
    const args = ['link', 'set', 'dev', name, 'promisc', on ? 'on' : 'off'];
    await this.change(`set promiscuous mode of ${name}`, name, args);
  }

  /**
   * Tries every link kind in a throwaway anonymous netns (`unshare --net`), which dies with the
   * process: the host namespace never sees a probe link. Needs root.
   */
  async probeCapabilities(): Promise<KernelCapabilities> {
    const r = await runCommand(['unshare', '--net', 'ip', '-force', '-j', '-d', '-batch', '-'], PROBE_SCRIPT);
    // -force makes ip exit 1 when a line failed; only an empty `link show` means the probe itself failed.
    if (r.stdout.trim() === '') throw kernelErrorFrom('probe kernel capabilities', r);
    const links = new Map(parseLinks(r.stdout).map((j) => [j.ifname, j]));
    const caps: KernelCapabilities = {
      vlan8021q: links.has('pvlan'),
      macvlan: links.has('pmacvlan'),
      dummy: links.has('pdummy'),
      bonding: links.has('pbond'),
      // A kernel without CONFIG_BRIDGE_VLAN_FILTERING may refuse the option or ignore it: read it back.
      vlanFilteringBridge: links.get('pbridge')?.linkinfo?.info_data?.vlan_filtering === 1,
    };
    this.logger?.debug({ capabilities: caps }, 'probed kernel capabilities');
    return caps;
  }

  async close(): Promise<void> {
    // One process per operation: nothing long-lived to release.
  }

  private ip(args: readonly string[]): Promise<CommandResult> {
    return runCommand(this.netns === undefined ? ['ip', ...args] : ['ip', '-n', this.netns, ...args]);
  }

  private async change(action: string, link: string, args: readonly string[]): Promise<void> {
    const r = await this.ip(args);
    if (r.exitCode !== 0) throw kernelErrorFrom(action, r);
    this.logger?.info({ link, argv: r.argv }, action);
  }

  /**
   * `ip link add` then `ip link set alias`: the kernel ignores IFLA_IFALIAS on RTM_NEWLINK, so the mark
   * takes a second step (and a second process: `ip -batch` has no quoting we could trust with an alias,
   * and an argument error ends the whole batch without saying which line). When the second step fails
   * the half-made link is deleted, to avoid a link leak. A failed `add` deletes nothing: the name may
   * belong to somebody else's link.
   */
  private async addLink(kind: string, o: NewLinkOptions, typeArgs: readonly string[]): Promise<void> {
    const action = `create ${kind} ${o.name}`;
    const lower = o.parent === undefined ? [] : ['link', o.parent];
    const mtu = o.mtu === undefined ? [] : ['mtu', String(o.mtu)];
    const mac = o.mac === undefined ? [] : ['address', o.mac];
    const add = ['link', 'add', ...lower, 'name', o.name, ...mtu, ...mac, 'type', kind, ...typeArgs];
    await this.change(action, o.name, add);
    try {
      await this.change(action, o.name, ['link', 'set', 'dev', o.name, 'alias', o.alias]);
    } catch (err) {
      this.logger?.warn({ link: o.name, err }, 'removing half-made link');
      await this.deleteLink(o.name).catch((cleanupErr: unknown) => {
        this.logger?.warn({ link: o.name, err: cleanupErr }, 'cannot remove half-made link');
      });
      throw err;
    }
  }
}
