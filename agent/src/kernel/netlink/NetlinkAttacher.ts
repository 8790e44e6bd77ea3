/**
 * LinkDriver.attachEndpoint over rtnetlink, with no process at all: the macvlan is made from the host's
 * netlink socket right inside the container's netns (IFLA_NET_NS_FD, as the CNI plugin does: a link
 * made on the host and moved afterwards would wait for the kernel's synchronize_net()), then renamed,
 * marked, addressed, raised and routed from a socket opened in that netns. Each step is one request answered
 * within the send (RtnlSocket); an attach costs a few hundred microseconds of the agent's thread.
 */
import fs from 'node:fs';
import { faultPoint } from '../../faultPoint';
import { setTimeout as sleep } from 'node:timers/promises';
import { attachAction, checkAttachOptions } from '../endpointActions';
import { KernelLogger } from '../kernelLogger';
import { AttachEndpointOptions } from '../../domain/ports/LinkDriver';
import { KernelError } from '../../domain/errors';
import { newAddress, newDefaultRoute } from './addressRouteMessages';
import * as links from './linkMessages';
import { NetlinkError } from './NetlinkError';
import { RtnlSocket } from './RtnlSocket';
import type { NetnsInstance } from '../../domain/model';
import { sameNetns } from '../../domain/netnsIdentity';
import type { NetnsOpener } from '../NetnsOpener';
import { replacedNetns } from '../netnsRefusals';
import type { HostSocket } from './HostSocket';
import { describeNetnsRef } from '../../domain/netnsIdentity';

const ENODEV = 19;
const ENOENT = 2;
const EADDRINUSE = 98;

/**
 * The kernel frees a deleted netns's links asynchronously (cleanup_net() runs from a workqueue, tens
 * of ms later): a container made anew right after its old netns went finds the old macvlan still
 * holding the endpoint's stable MAC on the parent, and `up` fails with EADDRINUSE. Wait for it, a
 * while (1.3 s in all); a MAC that is really taken fails after that.
 */
const MAC_RELEASE_WAITS_MS = [10, 20, 40, 80, 160, 320, 640];

const elapsedMs = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e6;

/** The KernelError of a refused step; anything else (a bug) goes through as it is. */
function kernelError(action: string, err: unknown): unknown {
  if (!(err instanceof NetlinkError)) return err;
  return new KernelError(`cannot ${action}: ${err.message}`, [], undefined, err.message);
}

/** Raises the link, waiting out a MAC that a dead netns's macvlan still holds (see MAC_RELEASE_WAITS_MS). */
async function raise(inside: RtnlSocket, index: number): Promise<void> {
  for (const waitMs of [...MAC_RELEASE_WAITS_MS, undefined]) {
    try {
      inside.request(links.setUp(index));
      return;
    } catch (err) {
      if (!(err instanceof NetlinkError) || err.errno !== EADDRINUSE || waitMs === undefined) throw err;
      await sleep(waitMs);
    }
  }
}

/** Renames, marks, addresses, raises and routes the new link; on a failure removes it and throws. */
async function configure(inside: RtnlSocket, o: AttachEndpointOptions): Promise<void> {
  const [link] = inside.request(links.getLinkByName(o.tmpName));
  const index = links.linkIndexOf(link);
  try {
    inside.request(links.renameAndMark(index, o.ifname, o.alias));
    faultPoint('endpoint-renamed');
    for (const cidr of o.addresses) inside.request(newAddress(index, cidr));
    await raise(inside, index);
    for (const gateway of o.gateways) inside.request(newDefaultRoute(index, gateway));
  } catch (err) {
    try {
      inside.request(links.deleteLink(index));
    } catch {
      // Gone already (its netns went meanwhile): nothing is left to remove.
    }
    throw err;
  }
}

/** LinkDriver.attachEndpoint over rtnetlink, from the driver's host socket and one in the container. */
export class NetlinkAttacher {
  constructor(
    private readonly host: HostSocket,
    private readonly namespaces: NetnsOpener,
    private readonly logger?: KernelLogger,
  ) {}

  /** LinkDriver.attachEndpoint; the namespace is opened once, checked, and used for every step. */
  async attachEndpoint(o: AttachEndpointOptions): Promise<NetnsInstance> {
    const action = attachAction(o);
    checkAttachOptions(action, o);
    const start = process.hrtime.bigint();
    // Opened without a cookie: the socket the link is configured from, made in there first, reads it.
    const opened = this.namespaces.open(o.netns, false);
    if (opened === undefined) throw new KernelError(`cannot ${action}: no such netns`);
    const { fd: netnsFd } = opened;
    let inside: RtnlSocket | undefined;
    try {
      inside = RtnlSocket.openInFd(netnsFd);
      const cookie = inside.netnsCookie();
      const instance = cookie === undefined ? opened.instance : { ...opened.instance, cookie };
      if (o.netnsInstance && !sameNetns(o.netnsInstance, instance)) {
        throw replacedNetns(o.netns);
      }
      const host = this.host.get();
      const parentIndex = this.parentIndex(host, action, o.parent);
      // Made under tmpName, renamed inside: Linux 6.1 (the lab's) looks a new link's name up in the
      // requester's netns too (6.18, this machine's, only in the target's), where the host's own eth0
      // would clash with a container's. A refusal here made nothing (a MAC no link may have: EADDRNOTAVAIL).
      const { tmpName: name, mode, mac, mtu } = o;
      host.request(links.newMacvlan({ name, parentIndex, mode, mac, mtu, netnsFd }));
      faultPoint('endpoint-created');
      const hostMs = elapsedMs(start);
      await configure(inside, o);
      const timing = { hostMs, totalMs: elapsedMs(start) };
      this.logger?.info(
        { link: o.ifname, netns: describeNetnsRef(o.netns), alias: o.alias, ...timing },
        'attached endpoint',
      );
      return instance;
    } catch (err) {
      throw kernelError(action, err);
    } finally {
      inside?.close();
      fs.closeSync(netnsFd);
    }
  }

  private parentIndex(host: RtnlSocket, action: string, parent: string): number {
    try {
      return links.linkIndexOf(host.request(links.getLinkByName(parent))[0]);
    } catch (err) {
      if (err instanceof NetlinkError && (err.errno === ENODEV || err.errno === ENOENT)) {
        throw new KernelError(`cannot ${action}: Cannot find device "${parent}"`);
      }
      throw err;
    }
  }
}
