/**
 * A fleet of agents, as an orchestrator drives it from one fleet file: `plan` reads every host at once
 * and checks the file across hosts (what no single host can see: one address on two hosts of one L2
 * segment), `apply` rolls it out in waves of commit-confirmed Applies (rollout.ts), `status` shows how
 * far each host is from the file, and `watch` merges every host's Watch. The CLI's `mvnet fleet` is
 * built on it.
 */
import { AgentClient, type AgentClientOptions } from '../AgentClient';
import { PlanAction, type PlanStep } from '../../../proto/gen/mvnet/v1/apply';
import type { WatchEvent, WatchOptions, WatchRetry } from '../watchEvents';
import { crossHostConflicts } from './crossHostChecks';
import { EventQueue } from './EventQueue';
import type { FleetHost, FleetPlan, FleetProgress, FleetSpec, HostPlan, HostState } from './fleetTypes';
import { hostShares } from './hostShares';
import { readHost } from './readHost';
import { runRollout, type RolloutOptions } from './rollout';

/** A call on a fresh connection (the host answering after its change) waits this long at most (ms). */
const FRESH_CALL_MS = 5_000;

export interface FleetOptions {
  /** How each host's client connects (TLS, token, deadline); `host` is set from the file. */
  client?: Omit<AgentClientOptions, 'host'>;
  /** How long reading one host may take before it counts as unreachable (ms; default 10 s). */
  hostDeadlineMs?: number;
}

/** A host as `status` reports it. */
export interface HostStatus {
  name: string;
  address: string;
  reachable: boolean;
  revision?: number;
  /** Objects the host would change to match the file (0: it matches). */
  drift?: number;
  pendingApplyId?: string;
  error?: string;
}

/** One event of a fleet watch: a host's event, or a host's stream broken and being resumed. */
export type FleetWatchEvent = { host: string; event: WatchEvent } | { host: string; retry: WatchRetry };

export class Fleet {
  private readonly clients = new Map<string, AgentClient>();

  constructor(
    readonly spec: FleetSpec,
    private readonly options: FleetOptions = {},
  ) {}

  /** The client of a host, made once. */
  client(host: FleetHost): AgentClient {
    let client = this.clients.get(host.name);
    if (!client) {
      client = this.connect(host);
      this.clients.set(host.name, client);
    }
    return client;
  }

  /**
   * A client on a connection of its own, opened now, with a short deadline: proof that the host
   * answers now, not over a connection made before its change.
   */
  connect(host: FleetHost): AgentClient {
    return new AgentClient({
      ...this.options.client,
      host: host.address,
      ownConnection: true,
      timeoutMs: FRESH_CALL_MS,
    });
  }

  /** Every host read at once, each within its deadline: a host that does not answer is unreachable. */
  async readHosts(): Promise<Map<string, HostState>> {
    const read = await Promise.all(
      this.spec.hosts.map(
        async (h) => [h.name, await readHost(this.client(h), this.options.hostDeadlineMs)] as const,
      ),
    );
    return new Map(read);
  }

  /**
   * Plans the file: reads every host, gives each its share (per-host ranges kept or allocated), checks
   * across hosts, and has each agent plan its share (a dry run at the revision read). Nothing changes.
   * A refusal names the hosts; an unreachable host is reported, never skipped.
   */
  async plan(): Promise<FleetPlan> {
    return this.planFrom(await this.readHosts());
  }

  /** plan() on hosts already read. */
  async planFrom(states: ReadonlyMap<string, HostState>): Promise<FleetPlan> {
    const { shares, refusals } = hostShares(this.spec, states);
    refusals.push(...crossHostConflicts(this.spec, shares, states));
    const hosts = await Promise.all(
      this.spec.hosts.map(async (host): Promise<HostPlan> => {
        const state = states.get(host.name)!;
        const share = shares.find((s) => s.host === host.name);
        const base = {
          name: host.name,
          address: host.address,
          spec: share?.spec ?? {},
          steps: [],
          changes: 0,
        };
        if (!state.reachable) return { ...base, revision: 0, reachable: false, error: state.error };
        if (!share)
          return { ...base, revision: state.revision, reachable: true, error: 'no share: see the refusals' };
        try {
          const { plan } = await this.client(host).apply(share.spec, {
            dryRun: true,
            expectedRevision: state.revision,
          });
          return {
            ...base,
            revision: state.revision,
            reachable: true,
            steps: plan,
            changes: changesOf(plan),
          };
        } catch (err) {
          return { ...base, revision: state.revision, reachable: true, error: (err as Error).message };
        }
      }),
    );
    return { ok: refusals.length === 0 && hosts.every((h) => h.error === undefined), refusals, hosts };
  }

  /**
   * Rolls the file out (see rollout.ts): the canary, then waves; each host's change confirmed once
   * it answers again; past maxFailures, no new host starts and the hosts changed are rolled back.
   * With a saved plan, exactly that plan, a host whose revision moved being left alone (Changed).
   */
  apply(options: RolloutOptions = {}): AsyncIterable<FleetProgress> {
    return runRollout(this, options);
  }

  /** Each host: reachable, its revision, and how far it is from the file (a dry run of its share). */
  async status(): Promise<HostStatus[]> {
    const states = await this.readHosts();
    const plan = await this.planFrom(states);
    return plan.hosts.map((h) => ({
      name: h.name,
      address: h.address,
      reachable: h.reachable,
      ...(h.reachable ? { revision: h.revision } : {}),
      ...pendingOf(states.get(h.name)),
      ...(h.error === undefined && h.reachable ? { drift: h.changes } : {}),
      ...(h.error === undefined ? {} : { error: h.error }),
    }));
  }

  /**
   * Every host's Watch, merged, each event tagged with its host; each host's stream resumes on its own
   * after a disconnect (a retry is an event too). Ends when `signal` aborts.
   */
  watch(options: Omit<WatchOptions, 'onRetry'> = {}): AsyncIterable<FleetWatchEvent> {
    const queue = new EventQueue<FleetWatchEvent>();
    const streams = this.spec.hosts.map(async (host) => {
      const onRetry = (retry: WatchRetry) => queue.push({ host: host.name, retry });
      for await (const event of this.client(host).watch({ ...options, onRetry }))
        queue.push({ host: host.name, event });
    });
    Promise.all(streams).then(
      () => queue.end(),
      (err: unknown) => queue.fail(err),
    );
    return queue;
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}

/** Steps other than KEEP. */
export function changesOf(plan: readonly PlanStep[]): number {
  return plan.filter((s) => s.action !== PlanAction.PLAN_ACTION_KEEP).length;
}

/** The Apply a host awaits the confirmation of, for status. */
function pendingOf(state: HostState | undefined): { pendingApplyId?: string } {
  return state?.reachable && state.pendingApplyId ? { pendingApplyId: state.pendingApplyId } : {};
}
