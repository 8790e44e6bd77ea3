/**
 * LinkDriver.probeArp on a real kernel: the checks both drivers make, the probed link read from the
 * host's netlink socket, then one ArpProbe (a macvlan in a namespace of its own) for the call.
 *
 * Many probes run at once (an Apply probes its gateways together), so the agent's thread is spared
 * twice over: each probe's making, the only synchronous part (about a millisecond; a few when other
 * links' deletions hold the kernel's rtnl lock), takes a turn of the event loop of its own, one after
 * the other; and at most MAX_LIVE_PROBES namespaces live at once, the others waiting for a place.
 * Listening is polling from timers, and each probe's end (the macvlan's deletion, the packet socket's
 * close: RCU grace periods, tens of ms) runs on libuv's pool: the agent's thread never waits for a
 * packet or for the kernel's grace periods.
 */
import { KernelError } from '../../domain/errors';
import type { LinkInfo } from '../../domain/ports/LinkDriver';
import { type ArpProbeOptions, checkArpProbe, noProbedLink, probedLinkCarries } from '../arpProbeRules';
import type { KernelLogger } from '../kernelLogger';
import { ArpProbe } from './ArpProbe';
import type { HostSocket } from './HostSocket';
import * as links from './linkMessages';
import { NetlinkError } from './NetlinkError';

const ENOENT = 2;
const ENODEV = 19;
/** Namespaces of probes alive at once (each holds two sockets); more probes wait for a place. */
const MAX_LIVE_PROBES = 128;

/** The KernelError of a refused step; anything else (a bug) goes through as it is. */
function kernelError(action: string, err: unknown): unknown {
  if (!(err instanceof NetlinkError)) return err;
  return new KernelError(`cannot ${action}: ${err.message}`, [], undefined, err.message);
}

const elapsedMs = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e6;

export class ArpProber {
  private live = 0;
  private readonly waiting: (() => void)[] = [];
  /** The end of the last probe's making: the next one is made in a later turn of the loop. */
  private lane: Promise<void> = Promise.resolve();

  constructor(
    private readonly host: HostSocket,
    private readonly logger?: KernelLogger,
  ) {}

  /** LinkDriver.probeArp. */
  async probe(link: string, address: string, options: ArpProbeOptions): Promise<boolean> {
    const action = checkArpProbe(link, address, options);
    if (!probedLinkCarries(action, link, this.readLink(action, link))) return false;
    const start = process.hrtime.bigint();
    await this.takePlace();
    try {
      const probe = await this.inTurn(() => this.open(action, link));
      let answered = false;
      try {
        answered = await probe.listen(address, options.tries, options.intervalMs);
        return answered;
      } catch (err) {
        throw kernelError(action, err); // a send refused: the link went while the probe listened
      } finally {
        await probe.close();
        this.logger?.debug({ link, address, answered, ms: elapsedMs(start) }, 'probed ARP');
      }
    } finally {
      this.leavePlace();
    }
  }

  /** The host link, read again when its turn comes (it may have gone meanwhile). */
  private async open(action: string, link: string): Promise<ArpProbe> {
    const host = this.host.get();
    const lower = this.readLink(action, link);
    try {
      return await ArpProbe.open(host, lower.index);
    } catch (err) {
      throw kernelError(action, err);
    }
  }

  /** The host link named `link`; a PreconditionError when there is none. */
  private readLink(action: string, link: string): LinkInfo {
    try {
      const [reply] = this.host.get().request(links.getLinkByName(link));
      return links.linkInfoOf(reply, () => undefined);
    } catch (err) {
      if (err instanceof NetlinkError && (err.errno === ENODEV || err.errno === ENOENT)) {
        throw noProbedLink(action, link);
      }
      throw kernelError(action, err);
    }
  }

  /** Runs `make` in a turn of the event loop after the previous probe's making. */
  private inTurn<T>(make: () => T): Promise<T> {
    const turn = this.lane.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(make);
    this.lane = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  private async takePlace(): Promise<void> {
    if (this.live < MAX_LIVE_PROBES) {
      this.live++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Hands the place on to a waiting probe, or frees it. */
  private leavePlace(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.live--;
  }
}
