import { faultPoint } from '../../faultPoint';
import { KernelError } from '../../domain/errors';
import type {
  CreateDummyOptions,
  CreateMacvlanOptions,
  CreateVlanOptions,
  LinkInfo,
} from '../../domain/ports/LinkDriver';
import type { KernelLogger } from '../kernelLogger';
import {
  checkCidr,
  checkIfname,
  checkNewLinkArguments,
  checkPrefix,
  type NewLinkArguments,
} from '../linkArgumentChecks';
import { IpBatch } from './IpBatch';
import { parseLinks, toLinkInfo } from './parseLinks';
import { kernelErrorFrom, type CommandResult } from './runCommand';

/** The kernel refuses 4095 and accepts 0 (priority tagging); neither is a usable VLAN for a network. */
function checkVlanId(name: string, vlanId: number): void {
  if (!Number.isInteger(vlanId) || vlanId < 1 || vlanId > 4094) {
    throw new KernelError(`cannot create vlan ${name}: vlan id ${vlanId} is outside 1..4094`);
  }
}

/**
 * The host namespace's links, addresses and routes, through iproute2: one long-lived `ip -batch`
 * process (IpBatch: a write and a read per command, no spawn), which is what `ip` itself does, with its
 * messages. close() ends the process; a closed one refuses further commands.
 */
export class HostLinks {
  private readonly host: IpBatch;

  /** @param netns the named netns that is the host; the agent's own when undefined */
  constructor(
    netns: string | undefined,
    private readonly logger?: KernelLogger,
  ) {
    this.host = new IpBatch(netns === undefined ? ['ip'] : ['ip', '-n', netns]);
  }

  async listLinks(): Promise<LinkInfo[]> {
    return (await this.show('list links', 'link show')).map(toLinkInfo);
  }

  async getLink(name: string): Promise<LinkInfo | undefined> {
    const action = `read link ${name}`;
    checkIfname(action, 'dev', name);
    const r = await this.host.run(`link show dev ${name}`, true);
    if (r.exitCode !== 0 && r.stderr.includes('does not exist')) return undefined;
    return this.parse(action, r).map(toLinkInfo)[0];
  }

  async createVlan(o: CreateVlanOptions): Promise<void> {
    checkVlanId(o.name, o.vlanId);
    await this.addLink('vlan', o, `id ${o.vlanId}`);
  }

  async createDummy(o: CreateDummyOptions): Promise<void> {
    await this.addLink('dummy', o, '');
  }

  async createMacvlan(o: CreateMacvlanOptions): Promise<void> {
    await this.addLink('macvlan', { ...o, mode: o.mode }, `mode ${o.mode}`);
  }

  async deleteLink(name: string): Promise<void> {
    const action = `delete link ${name}`;
    checkIfname(action, 'dev', name);
    const r = await this.host.run(`link del dev ${name}`);
    if (r.exitCode !== 0 && r.stderr.includes('Cannot find device')) return;
    this.check(action, r, { link: name });
  }

  async setLinkUp(name: string): Promise<void> {
    await this.change(`set link ${name} up`, { link: name }, `link set dev ${name} up`, [name]);
  }

  async setPromiscuous(name: string, on: boolean): Promise<void> {
    const line = `link set dev ${name} promisc ${on ? 'on' : 'off'}`;
    await this.change(`set promiscuous mode of ${name}`, { link: name }, line, [name]);
  }

  /** `addr replace`: an address already there is success. IPv6 without DAD, usable at once. */
  async addAddress(name: string, cidr: string): Promise<void> {
    const action = `add address ${cidr} to ${name}`;
    checkIfname(action, 'dev', name);
    const nodad = checkCidr(action, 'address', cidr) === 6 ? ' nodad' : '';
    await this.change(action, { link: name, address: cidr }, `addr replace ${cidr} dev ${name}${nodad}`);
  }

  /**
   * `route add`, never `replace`: a route to the destination that exists already (through this link or
   * another) is refused with "File exists" (LinuxDriver tells the two apart).
   */
  async addRoute(destination: string, dev: string): Promise<void> {
    const action = `add route ${destination} on ${dev}`;
    checkIfname(action, 'dev', dev);
    checkPrefix(action, 'destination', destination);
    await this.change(action, { link: dev, route: destination }, `route add ${destination} dev ${dev}`);
  }

  /** "No such process" is the kernel's ESRCH: no such route. Without the link, no route through it either. */
  async deleteRoute(destination: string, dev: string): Promise<void> {
    const action = `delete route ${destination} on ${dev}`;
    checkIfname(action, 'dev', dev);
    checkPrefix(action, 'destination', destination);
    const r = await this.host.run(`route del ${destination} dev ${dev}`);
    if (r.exitCode !== 0 && /No such process|Cannot find device/.test(r.stderr)) return;
    this.check(action, r, { link: dev, route: destination });
  }

  close(): Promise<void> {
    return this.host.close();
  }

  private async show(action: string, line: string) {
    return this.parse(action, await this.host.run(line, true));
  }

  private parse(action: string, r: CommandResult) {
    if (r.exitCode !== 0) throw kernelErrorFrom(action, r);
    try {
      return parseLinks(r.stdout);
    } catch (err) {
      throw new KernelError(`cannot ${action}: ip printed something other than JSON`, r.argv, 0, String(err));
    }
  }

  /** Throws the KernelError of a failed command, or logs the change it made. */
  private check(action: string, r: CommandResult, context: object): void {
    if (r.exitCode !== 0) throw kernelErrorFrom(action, r);
    this.logger?.info({ ...context, argv: r.argv }, action);
  }

  private async change(action: string, context: object, line: string, names: string[] = []): Promise<void> {
    for (const name of names) checkIfname(action, 'dev', name);
    this.check(action, await this.host.run(line), context);
  }

  /**
   * `link add`, then `link set alias`: the kernel ignores IFLA_IFALIAS on RTM_NEWLINK, so the mark
   * takes a second command. When that one fails the half-made link is deleted, to avoid a link leak.
   * A failed `add` deletes nothing: the name may belong to somebody else's link.
   */
  private async addLink(kind: string, o: NewLinkArguments, typeArgs: string): Promise<void> {
    const action = `create ${kind} ${o.name}`;
    checkNewLinkArguments(action, o);
    const lower = o.parent === undefined ? '' : ` link ${o.parent}`;
    const mtu = o.mtu === undefined ? '' : ` mtu ${o.mtu}`;
    const mac = o.mac === undefined ? '' : ` address ${o.mac}`;
    const add = `link add${lower} name ${o.name}${mtu}${mac} type ${kind} ${typeArgs}`.trimEnd();
    this.check(action, await this.host.run(add), { link: o.name });
    faultPoint('link-added');
    if (o.alias === '') return;
    const marked = await this.host.run(`link set dev ${o.name} alias ${o.alias}`);
    if (marked.exitCode === 0) return;
    this.logger?.warn({ link: o.name, stderr: marked.stderr }, 'removing half-made link');
    await this.deleteLink(o.name).catch((err: unknown) => {
      this.logger?.warn({ link: o.name, err }, 'cannot remove half-made link');
    });
    throw kernelErrorFrom(action, marked);
  }
}
