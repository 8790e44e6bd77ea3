/**
 * The endpoint operations of LinuxDriver that look into, or remove from, a container's netns, over
 * rtnetlink from a socket made in that netns: no process. Reads are answered within the send, on the
 * agent's thread; a deletion, which the kernel takes 10-25 ms over (RCU grace periods), goes off it
 * (RtnlSocket.requestAsync). A missing netns or link is no error, as the LinkDriver port says.
 */
import { KernelError } from '../../domain/errors';
import type { NetnsInstance, NetnsRef } from '../../domain/model';
import type { EndpointObservation, NetnsObservation } from '../../domain/ports/LinkDriver';
import { endpointAction } from '../endpointActions';
import type { KernelLogger } from '../kernelLogger';
import { checkIfname, checkNetnsRef } from '../linkArgumentChecks';
import { describeNetnsRef, sameNetns } from '../../domain/netnsIdentity';
import type { NetnsOpener } from '../NetnsOpener';
import { addressOf, dumpAddresses } from './addressRouteMessages';
import { inNetns } from './inNetns';
import * as links from './linkMessages';
import type { Reply } from './netlinkMessage';
import { NetlinkError } from './NetlinkError';
import { RtnlSocket } from './RtnlSocket';

const ENOENT = 2;
const ENODEV = 19;

/** The refusal as a KernelError naming the action; anything else (a bug, a refused netns) goes through. */
function kernelError(action: string, err: unknown): unknown {
  if (!(err instanceof NetlinkError)) return err;
  return new KernelError(`cannot ${action}: ${err.message}`, [], undefined, err.message);
}

/** The link named `name`, or undefined when there is none. */
function findLink(socket: RtnlSocket, name: string): Reply | undefined {
  try {
    return socket.request(links.getLinkByName(name))[0];
  } catch (err) {
    if (err instanceof NetlinkError && (err.errno === ENODEV || err.errno === ENOENT)) return undefined;
    throw err;
  }
}

/** Deletes a link by index, off the agent's thread; one gone meanwhile is success. */
async function deleteLink(socket: RtnlSocket, index: number): Promise<void> {
  try {
    await socket.requestAsync(links.deleteLink(index));
  } catch (err) {
    if (!(err instanceof NetlinkError && err.errno === ENODEV)) throw err;
  }
}

export class ContainerLinks {
  constructor(
    private readonly namespaces: NetnsOpener,
    private readonly logger?: KernelLogger,
  ) {}

  /** LinkDriver.inspectEndpoint: the link and its configured addresses, read in the netns. */
  inspectEndpoint(ref: NetnsRef, ifname: string): Promise<EndpointObservation> {
    const action = endpointAction.inspect(ref, ifname);
    checkNetnsRef(action, ref);
    checkIfname(action, 'dev', ifname);
    const missing: EndpointObservation = { netnsExists: false };
    return this.inContainer(action, ref, missing, (socket, netnsInstance): EndpointObservation => {
      const reply = findLink(socket, ifname);
      if (!reply) return { netnsExists: true, netnsInstance };
      const nameOf = (index: number) => {
        const other = socket.request(links.getLinkByIndex(index))[0];
        return other && links.linkNameOf(other);
      };
      const link = links.linkInfoOf(reply, nameOf);
      const addresses = socket
        .request(dumpAddresses())
        .map(addressOf)
        .filter((a) => a.index === link.index && a.configured)
        .map((a) => a.cidr);
      return { netnsExists: true, netnsInstance, link: { ...link, addresses } };
    });
  }

  /** LinkDriver.inspectNetns: every link, from one dump; a lower on the host (other netns) is no parent. */
  inspectNetns(ref: NetnsRef): Promise<NetnsObservation> {
    const action = endpointAction.listLinks(ref);
    checkNetnsRef(action, ref);
    const missing: NetnsObservation = { netnsExists: false, links: [] };
    return this.inContainer(action, ref, missing, (socket, netnsInstance): NetnsObservation => {
      const replies = socket.request(links.dumpLinks());
      const names = new Map(replies.map((r) => [links.linkIndexOf(r), links.linkNameOf(r)]));
      const all = replies.map((r) => links.linkInfoOf(r, (index) => names.get(index)));
      return { netnsExists: true, netnsInstance, links: all };
    });
  }

  /** LinkDriver.listLinkNamesIn: every link's name, from one dump. */
  listLinkNamesIn(ref: NetnsRef): Promise<string[]> {
    const action = endpointAction.listLinks(ref);
    checkNetnsRef(action, ref);
    return this.inContainer(action, ref, [], (socket) =>
      socket.request(links.dumpLinks()).map(links.linkNameOf),
    );
  }

  /** LinkDriver.removeTempLink: the link under its temporary name, whatever it carries. */
  removeTempLink(ref: NetnsRef, name: string): Promise<void> {
    const action = endpointAction.removeTemp(ref, name);
    checkNetnsRef(action, ref);
    checkIfname(action, 'dev', name);
    return this.inContainer(action, ref, undefined, async (socket) => {
      const reply = findLink(socket, name);
      if (reply) await deleteLink(socket, links.linkIndexOf(reply));
    });
  }

  /** LinkDriver.detachEndpoint: the link is removed only when it carries `alias`, in the expected netns. */
  detachEndpoint(ref: NetnsRef, ifname: string, alias: string, expected?: NetnsInstance): Promise<void> {
    const action = endpointAction.detach(ref, ifname);
    checkNetnsRef(action, ref);
    checkIfname(action, 'dev', ifname);
    return this.inContainer(action, ref, undefined, async (socket, instance) => {
      const where = { link: ifname, netns: describeNetnsRef(ref) };
      if (expected && !sameNetns(expected, instance)) {
        this.logger?.info(where, "left a namespace that is not the endpoint's any more");
        return;
      }
      const reply = findLink(socket, ifname);
      if (!reply) return;
      const link = links.linkInfoOf(reply, () => undefined);
      if (alias === '' || link.alias !== alias) {
        this.logger?.info({ ...where, alias: link.alias }, 'left a link that is not ours');
        return;
      }
      await deleteLink(socket, link.index);
      this.logger?.info({ ...where, alias }, 'detached endpoint');
    });
  }

  /** Which namespace a ref names now (LinkDriver.netnsInstance). */
  async netnsInstance(ref: NetnsRef): Promise<NetnsInstance | undefined> {
    checkNetnsRef(endpointAction.lookUp(ref), ref);
    return this.namespaces.instance(ref);
  }

  /** Whether a ref names a container's namespace now (LinkDriver.netnsExists). */
  async netnsExists(ref: NetnsRef): Promise<boolean> {
    checkNetnsRef(endpointAction.lookUp(ref), ref);
    return this.namespaces.exists(ref);
  }

  /** Runs `use` in the netns for `action`, with the kernel's refusals as KernelErrors. */
  private async inContainer<T>(
    action: string,
    ref: NetnsRef,
    missing: T,
    use: (socket: RtnlSocket, instance: NetnsInstance) => T | Promise<T>,
  ): Promise<T> {
    try {
      return await inNetns(this.namespaces, ref, missing, use);
    } catch (err) {
      throw kernelError(action, err);
    }
  }
}
