/**
 * The benchmark's side of its client processes (watchClientProcess.ts): `processes` children, each
 * with its own channels, so that decoding a thousand copies of an event is not the benchmark's own
 * thread, nor one process's. A fleet's watchers are spread evenly over the children; each child
 * reports an event once all its watchers of that fleet have it, and expect() joins the children's
 * parts into one event with every watcher's receipt. A child exits when the benchmark's IPC channel
 * closes, so none outlives the run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ClientCommand, ClientReport, ReceivedEvent } from './watchClientProtocol';

/** How long a child has to exit when told before it is killed. */
const EXIT_DEADLINE_MS = 5000;

/** An event as every watcher of a fleet, in every process, received it. */
export interface FleetEvent extends Omit<ReceivedEvent, 'arrivals' | 'bytes'> {
  /** Every watcher's receipt (CLOCK_MONOTONIC ns), all processes together. */
  arrivals: bigint[];
  /** The encoded size of the event, as each process measured its copy. */
  bytes: number[];
}

interface Waiter {
  match: (e: FleetEvent) => boolean;
  resolve: (e: FleetEvent) => void;
  reject: (err: Error) => void;
}

interface FleetState {
  /** The children holding watchers of this fleet, by index. */
  holders: number[];
  /** Events some holders have reported, by `revision/sequence`. */
  parts: Map<string, ReceivedEvent[]>;
  /** Whole events nobody expected (yet). */
  unclaimed: FleetEvent[];
  waiters: Set<Waiter>;
  /** Unexpected events, in all. */
  strays: number;
  failure?: Error;
  onReport?: (report: ClientReport, child: number) => void;
}

/**
 * `p`, marked handled: expect()'s caller awaits it only once it has caused the event, and a failure
 * before then must not end the process as an unhandled rejection.
 */
function handledLater<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

export class WatchClients {
  private readonly fleets = new Map<string, FleetState>();

  private constructor(private readonly children: ChildProcess[]) {
    children.forEach((child, i) => {
      child.on('message', (m: ClientReport) => this.onReport(m, i));
      child.on('error', (err) => this.childFailed(i, err.message));
      child.once('exit', (code, signal) => this.childFailed(i, `exited (${signal ?? code})`));
    });
  }

  /** Forks the client processes. */
  static start(processes: number): WatchClients {
    const script = path.join(__dirname, 'watchClientProcess.js');
    const children = Array.from({ length: processes }, () =>
      fork(script, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
    );
    return new WatchClients(children);
  }

  get processes(): number {
    return this.children.length;
  }

  /** Opens `count` watchers of `address`, spread over the children; resolves once all have had SYNCED. */
  async open(fleet: string, address: string, count: number, perChannel: number, timeoutMs: number) {
    const shares = this.children.map(
      (_, i) => Math.floor(count / this.children.length) + (i < count % this.children.length ? 1 : 0),
    );
    const holders = shares.flatMap((share, i) => (share > 0 ? [i] : []));
    const state: FleetState = { holders, parts: new Map(), unclaimed: [], waiters: new Set(), strays: 0 };
    this.fleets.set(fleet, state);
    const opened = this.untilEach(state, 'opened', timeoutMs, `${count} watchers of ${fleet} opened`);
    for (const i of holders) {
      this.send(i, { type: 'open', fleet, address, count: shares[i], perChannel });
    }
    await opened;
  }

  /**
   * The next event of `fleet` that `match` takes, once every watcher has it (an event that came whole
   * before the call is taken too). Call it before causing the event; rejects after `timeoutMs`, or when
   * a watcher fails.
   */
  expect(fleet: string, match: (e: FleetEvent) => boolean, timeoutMs: number): Promise<FleetEvent> {
    const state = this.state(fleet);
    if (state.failure) return handledLater(Promise.reject(state.failure));
    const early = state.unclaimed.findIndex(match);
    if (early >= 0) return Promise.resolve(state.unclaimed.splice(early, 1)[0]);
    const awaited = new Promise<FleetEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        state.waiters.delete(waiter);
        const partial = [...state.parts.entries()].map(([k, p]) => `${k} from ${p.length}`).join(', ');
        reject(
          new Error(`${fleet}: the event awaited did not reach every watcher (partly: ${partial || 'none'})`),
        );
      }, timeoutMs);
      const waiter: Waiter = {
        match,
        resolve: (e) => (clearTimeout(timer), resolve(e)),
        reject: (err) => (clearTimeout(timer), reject(err)),
      };
      state.waiters.add(waiter);
    });
    return handledLater(awaited);
  }

  /** Events of `fleet` that came whole and no expect() took, so far. */
  strays(fleet: string): number {
    const state = this.state(fleet);
    return state.strays + state.unclaimed.length;
  }

  /** Closes the fleet's watchers (their streams cancelled) and forgets it. */
  async close(fleet: string, timeoutMs = 10_000): Promise<void> {
    const state = this.fleets.get(fleet);
    if (!state) return;
    const closed = this.untilEach(state, 'closed', timeoutMs, `${fleet} closed`).catch(() => undefined);
    for (const i of state.holders) this.send(i, { type: 'close', fleet });
    await closed;
    this.fleets.delete(fleet);
  }

  /** Tells every child to exit; kills one that does not. */
  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        if (child.connected) child.send({ type: 'exit' } satisfies ClientCommand, () => undefined);
        const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_DEADLINE_MS);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  private state(fleet: string): FleetState {
    const state = this.fleets.get(fleet);
    if (!state) throw new Error(`no fleet ${fleet} is open`);
    return state;
  }

  private send(child: number, command: ClientCommand): void {
    this.children[child].send(command, (err) => {
      if (err) this.childFailed(child, err.message);
    });
  }

  /** A child gone or unreachable: every fleet it holds watchers of fails. */
  private childFailed(child: number, why: string): void {
    for (const [fleet, state] of this.fleets) {
      if (!state.holders.includes(child)) continue;
      this.onReport({ type: 'failed', fleet, message: `client process ${child + 1}: ${why}` }, child);
    }
  }

  /** Resolves once every holder of the fleet has said `type`; rejects on a failure or after `timeoutMs`. */
  private untilEach(state: FleetState, type: 'opened' | 'closed', timeoutMs: number, what: string) {
    return new Promise<void>((resolve, reject) => {
      const waiting = new Set(state.holders);
      const timer = setTimeout(() => reject(new Error(`not all ${what} within ${timeoutMs} ms`)), timeoutMs);
      state.onReport = (report, child) => {
        if (report.type === 'failed') {
          clearTimeout(timer);
          reject(new Error(report.message));
        } else if (report.type === type && waiting.delete(child) && waiting.size === 0) {
          clearTimeout(timer);
          state.onReport = undefined;
          resolve();
        }
      };
    });
  }

  private onReport(report: ClientReport, child: number): void {
    const state = this.fleets.get(report.fleet);
    if (!state) return;
    state.onReport?.(report, child);
    if (report.type === 'failed') {
      state.failure ??= new Error(`${report.fleet}: ${report.message}`);
      for (const waiter of state.waiters) waiter.reject(state.failure);
      state.waiters.clear();
    } else if (report.type === 'received') this.addPart(state, report.event);
  }

  private addPart(state: FleetState, part: ReceivedEvent): void {
    const key = `${part.revision}/${part.sequence}`;
    const parts = [...(state.parts.get(key) ?? []), part];
    if (parts.length < state.holders.length) {
      state.parts.set(key, parts);
      return;
    }
    state.parts.delete(key);
    const { arrivals: _, bytes: __, ...first } = parts[0];
    const event: FleetEvent = {
      ...first,
      arrivals: parts.flatMap((p) => [...p.arrivals]),
      bytes: parts.map((p) => p.bytes),
    };
    for (const waiter of state.waiters) {
      if (!waiter.match(event)) continue;
      state.waiters.delete(waiter);
      waiter.resolve(event);
      return;
    }
    state.unclaimed.push(event);
    // Kept for an expect() that comes after its event; the oldest are counted and dropped.
    if (state.unclaimed.length > 100) {
      state.unclaimed.shift();
      state.strays++;
    }
  }
}
