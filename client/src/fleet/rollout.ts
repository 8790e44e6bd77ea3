/**
 * A fleet rollout, as kubernetes-nmstate rolls a policy out, with what it lacks: the file is checked
 * across hosts first (a refused plan changes nothing), and each host's change is confirmed only once
 * the host answers again on its management address, a new connection (a change that cut it off is
 * never confirmed: the host rolls itself back at its deadline). Waves: the canary hosts, then batches of
 * maxUnavailable. Past maxFailures no new host starts; the hosts in flight finish; then every host this
 * rollout changed gets back the state captured before its change, confirmed the same way.
 */
import { Status } from 'nice-grpc';
import { MvnetError } from '../errors';
import { specFromLists } from '../spec/exportSpec';
import type { ApplySpec } from '../applyRequest';
import { EventQueue } from './EventQueue';
import type { Fleet } from './Fleet';
import { changesOf } from './Fleet';
import type { FleetHost, FleetPlan, FleetProgress, HostPlan, HostState } from './fleetTypes';
import { hostShares } from './hostShares';
import { readHost } from './readHost';
import { rolloutWaves } from './waves';

export interface RolloutOptions {
  /** A saved plan (`fleet plan --out`): applied exactly, each host only at the revision it was planned at. */
  plan?: FleetPlan;
  /** Aborting stops starting hosts; those in flight finish (Ctrl-C). */
  signal?: AbortSignal;
  /** Roll the changed hosts back when the rollout fails (default true). */
  rollback?: boolean;
}

/** The plan was refused (cross-host conflicts, unreachable hosts): nothing was changed. */
export class FleetRefusedError extends Error {
  constructor(readonly plan: FleetPlan) {
    const refused = new Set(plan.refusals.flatMap((r) => r.hosts));
    const reasons = [
      ...plan.refusals.map((r) => `${r.hosts.join(', ')}: ${r.message}`),
      // A host's own error, unless a refusal already names the host (an unreachable one, say).
      ...plan.hosts
        .filter((h) => h.error !== undefined && !refused.has(h.name))
        .map((h) => `${h.name}: ${h.error}`),
    ];
    super(`the plan was refused, nothing changed: ${reasons.join('; ')}`);
    this.name = 'FleetRefusedError';
  }
}

/** How long a changed host has to answer again before it counts as cut off (ms, at most). */
const ANSWER_AGAIN_MS = 15_000;

export function runRollout(fleet: Fleet, options: RolloutOptions): AsyncIterable<FleetProgress> {
  const queue = new EventQueue<FleetProgress>();
  new Rollout(fleet, options, (p) => queue.push(p)).run().then(
    () => queue.end(),
    (err: unknown) => queue.fail(err),
  );
  return queue;
}

/** A host changed by this rollout, and the state captured before, to roll back to. */
interface Changed {
  host: FleetHost;
  before: ApplySpec;
  wave: number;
}

class Rollout {
  private failures = 0;
  private readonly changed: Changed[] = [];
  private states = new Map<string, HostState>();

  constructor(
    private readonly fleet: Fleet,
    private readonly options: RolloutOptions,
    private readonly emit: (p: FleetProgress) => void,
  ) {}

  async run(): Promise<void> {
    const { fleet, options } = this;
    const policy = fleet.spec.rollout;
    let plan = options.plan;
    if (!plan) {
      this.states = await fleet.readHosts();
      plan = await fleet.planFrom(this.states);
    }
    if (!plan.ok) throw new FleetRefusedError(plan);
    const planned = new Map(plan.hosts.map((h) => [h.name, h]));
    const toChange = fleet.spec.hosts.filter((h) => (planned.get(h.name)?.changes ?? 0) > 0);
    await Promise.all(
      fleet.spec.hosts
        .filter((h) => !toChange.includes(h))
        .map((h) => this.unchanged(h, planned.get(h.name)!)),
    );
    const waves = rolloutWaves(toChange, policy);
    for (const [i, wave] of waves.entries())
      for (const host of wave)
        this.emit({ host: host.name, state: 'Pending', message: `wave ${i}`, wave: i });
    for (const [i, wave] of waves.entries()) {
      const stop = this.stopReason();
      if (stop) {
        for (const [j, later] of waves.entries())
          if (j >= i)
            for (const host of later)
              this.emit({ host: host.name, state: 'Aborted', message: stop, wave: j });
        break;
      }
      await Promise.all(wave.map((host) => this.runHost(host, planned.get(host.name)!, i)));
    }
    if (this.failures > policy.maxFailures && options.rollback !== false) await this.rollBackChanged();
  }

  /**
   * A host with nothing to change: Available; with a saved plan, only while it is still at the
   * revision it was planned at (otherwise Changed: what the plan says of it no longer holds).
   */
  private async unchanged(host: FleetHost, planned: HostPlan): Promise<void> {
    const say = (state: FleetProgress['state'], message: string, revision?: number) =>
      this.emit({ host: host.name, state, revision, changes: 0, message, wave: -1 });
    if (!this.options.plan) return say('Available', 'matches the file', planned.revision);
    const now = await this.fleet
      .client(host)
      .getHost()
      .then((h) => h.revision)
      .catch(() => undefined);
    if (now === planned.revision) return say('Available', 'matches the file', now);
    if (now === undefined) return say('Changed', 'could not be read again to check its revision: left alone');
    say(
      'Changed',
      `the host moved from revision ${planned.revision} to ${now} since it was planned: left alone`,
      now,
    );
  }

  private stopReason(): string | undefined {
    if (this.options.signal?.aborted) return 'not started: the rollout was stopped';
    const { maxFailures } = this.fleet.spec.rollout;
    if (this.failures > maxFailures)
      return `not started: ${this.failures} host(s) failed, more than maxFailures (${maxFailures})`;
    return undefined;
  }

  private async runHost(host: FleetHost, planned: HostPlan, wave: number): Promise<void> {
    const say = (state: FleetProgress['state'], message: string, extra: Partial<FleetProgress> = {}) =>
      this.emit({ host: host.name, state, message, wave, ...extra });
    say('Progressing', 'applying');
    const client = this.fleet.client(host);
    try {
      const state = await readHost(client);
      if (!state.reachable) throw new Error(`unreachable: ${state.error}`);
      const saved = this.options.plan !== undefined;
      if (saved && state.revision !== planned.revision) {
        say(
          'Changed',
          `the host moved from revision ${planned.revision} to ${state.revision} since it was planned: left alone`,
          { revision: state.revision },
        );
        return;
      }
      // Planned again just before its Apply, unless it is where the plan read it.
      const { spec, revision } =
        saved || state.revision === planned.revision ? planned : this.replanned(host, state);
      const before = { spec: specFromLists(state.networks, state.endpoints) };
      const { rollout } = this.fleet.spec;
      const result = await client.apply(spec, {
        expectedRevision: revision,
        confirmWithin: rollout.confirmWithinMs,
        probeGateways: rollout.probeGateways,
      });
      const changes = changesOf(result.plan);
      if (result.applyId === undefined) {
        say('Available', 'already matched the file', { revision: result.revision, changes });
        return;
      }
      this.changed.push({ host, before: before.spec, wave });
      await this.confirmOnceItAnswers(host, result.applyId);
      say('Available', `changed and confirmed`, { revision: result.revision, changes });
    } catch (err) {
      if (err instanceof MvnetError && err.code === Status.ABORTED && /expected_revision/.test(err.details)) {
        say('Changed', `the host moved since it was planned: left alone (${err.details})`);
        return;
      }
      this.failures++;
      say('Failing', (err as Error).message);
    }
  }

  /** The host's share made anew from what was just read of it (it moved since the plan). */
  private replanned(
    host: FleetHost,
    state: HostState & { reachable: true },
  ): { spec: ApplySpec; revision: number } {
    this.states.set(host.name, state);
    const { shares, refusals } = hostShares(this.fleet.spec, this.states);
    const refused = refusals.filter((r) => r.hosts.includes(host.name));
    if (refused.length > 0) throw new Error(refused.map((r) => r.message).join('; '));
    return { spec: shares.find((s) => s.host === host.name)!.spec, revision: state.revision };
  }

  /**
   * Confirms the host's Apply once the host answers on a new connection; one that does not answer in
   * time is never confirmed (it rolls itself back at its deadline): a failure.
   */
  private async confirmOnceItAnswers(host: FleetHost, applyId: string): Promise<void> {
    const budget = Math.min(ANSWER_AGAIN_MS, this.fleet.spec.rollout.confirmWithinMs / 2);
    const fresh = this.fleet.connect(host);
    try {
      const deadline = Date.now() + budget;
      for (;;) {
        const answered = await fresh.getHost().then(
          () => true,
          () => false,
        );
        if (answered) break;
        if (Date.now() > deadline)
          throw new Error(
            `did not answer on ${host.address} after its change: not confirmed, it rolls itself back (apply ${applyId})`,
          );
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      await fresh.confirmApply(applyId);
    } finally {
      fresh.close();
    }
  }

  /** Every host this rollout changed gets back what it had, confirmed the same way. */
  private async rollBackChanged(): Promise<void> {
    const { rollout } = this.fleet.spec;
    await Promise.all(
      this.changed.map(async ({ host, before, wave }) => {
        try {
          const result = await this.fleet.client(host).apply(before, {
            confirmWithin: rollout.confirmWithinMs,
          });
          if (result.applyId !== undefined) await this.confirmOnceItAnswers(host, result.applyId);
          this.emit({
            host: host.name,
            state: 'RolledBack',
            revision: result.revision,
            changes: changesOf(result.plan),
            message: 'the rollout failed: rolled back to the state before its change',
            wave,
          });
        } catch (err) {
          this.emit({
            host: host.name,
            state: 'Failing',
            message: `the rollout failed and its rollback too: ${(err as Error).message}`,
            wave,
          });
        }
      }),
    );
  }
}
