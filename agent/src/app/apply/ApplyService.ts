/**
 * Declarative Apply: the host made to match a whole spec in one all-or-nothing change (gNMI `Set` with
 * `replace`), planned first (dry_run returns the plan), with compare-and-swap on the revision, and with
 * commit-confirmed rollback (gNMI's commit-confirmed extension, nmstate's checkpoints): unconfirmed by
 * its deadline, cancelled, or failing a probe that passed before it, the change is rolled back.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import {
  changesAnything,
  type ApplySpecInput,
  type DesiredState,
  type PlanStep,
} from '../../domain/apply/applyModel';
import { checkApplySpec } from '../../domain/apply/checkApplySpec';
import { planApply, snapshotOf } from '../../domain/apply/planApply';
import {
  ApplyAbortedError,
  ApplyAwaitsConfirmationError,
  ConflictError,
  InvalidSpecError,
  PreconditionError,
} from '../../domain/errors';
import { MAX_CONFIRM_WITHIN_MS, MIN_CONFIRM_WITHIN_MS } from '../../domain/limits';
import type { EndpointSpec } from '../../domain/model';
import type { HostState } from '../../domain/ports/HostState';
import type { KernelCapabilities, LinkDriver } from '../../domain/ports/LinkDriver';
import type { MutationGate } from '../MutationGate';
import type { Mutex } from '../Mutex';
import { ConfirmWindow, type PendingConfirmation } from './ConfirmWindow';
import { gatewayProbeId, passingProbes, probesOf } from './hostProbes';
import { readApplyView } from './readApplyView';
import { Rollbacks } from './Rollbacks';
import { runTransition } from './runTransition';

export interface ApplyRequest {
  spec: ApplySpecInput;
  dryRun: boolean;
  /** 0: any revision. */
  expectedRevision: number;
  /** Roll back unless confirmed within this many milliseconds; undefined: no confirmation. */
  confirmWithinMs?: number;
  probeGateways: boolean;
}

export interface ApplyOutcome {
  plan: PlanStep[];
  revision: number;
  /** Set when the change awaits confirmation. */
  applyId: string;
}

export interface ApplyServiceDeps {
  state: HostState;
  driver: LinkDriver;
  capabilities: KernelCapabilities;
  logger: Logger;
  mutex: Mutex;
  gate: MutationGate;
  /** Told of every endpoint attached (DriftService follows its netns). */
  onAttached?: (spec: EndpointSpec) => void;
}

export class ApplyService {
  private readonly window: ConfirmWindow;
  private readonly rollbacks: Rollbacks;

  constructor(private readonly deps: ApplyServiceDeps) {
    this.window = new ConfirmWindow(deps.state);
    this.rollbacks = new Rollbacks({ ...deps, window: this.window });
    deps.gate.refusal = () => {
      const pending = this.window.pending();
      if (pending) throw new ApplyAwaitsConfirmationError(pending.applyId, pending.deadline);
    };
  }

  /** The Apply awaiting confirmation, for GetHost. */
  pendingApply(): { applyId: string; deadline: number; revision: number } | undefined {
    const pending = this.window.pending();
    return pending && { applyId: pending.applyId, deadline: pending.deadline, revision: pending.revision };
  }

  async apply(request: ApplyRequest): Promise<ApplyOutcome> {
    checkConfirmWithin(request.confirmWithinMs);
    const desired = checkApplySpec(request.spec);
    if (request.dryRun) {
      return this.deps.mutex.run(async () => {
        const view = await readApplyView(this.deps, desired.endpoints);
        return { plan: planApply(desired, view).plan, revision: this.deps.state.revision(), applyId: '' };
      });
    }
    return this.deps.gate.exclusive(() => this.applyAlone(request, desired));
  }

  private async applyAlone(request: ApplyRequest, desired: DesiredState): Promise<ApplyOutcome> {
    const digest = createHash('sha256').update(JSON.stringify(desired)).digest('hex');
    const confirm = request.confirmWithinMs !== undefined;
    // Outside the host mutex: probes take up to seconds, and reads go on meanwhile (the gate keeps
    // client mutations out while this Apply runs).
    const before = confirm ? await this.probesBefore(desired, request.probeGateways) : undefined;
    const made = await this.deps.mutex.run(async () => {
      const pending = this.window.pending();
      if (pending && pending.digest === digest) {
        const retried: PendingConfirmation = pending;
        return { retried };
      }
      if (pending) throw new ApplyAwaitsConfirmationError(pending.applyId, pending.deadline);
      const { state } = this.deps;
      if (request.expectedRevision !== 0 && request.expectedRevision !== state.revision()) {
        throw new ConflictError(
          `expected_revision ${request.expectedRevision} is not the host's revision ${state.revision()}: the host changed since it was read; read it again and plan anew`,
        );
      }
      const view = await readApplyView(this.deps, desired.endpoints);
      const transition = planApply(desired, view);
      if (!changesAnything(transition))
        return { outcome: { plan: transition.plan, revision: state.revision(), applyId: '' } };
      const applyId = randomBytes(8).toString('hex');
      const deadline = Date.now() + (request.confirmWithinMs ?? 0);
      const result = await runTransition(
        {
          applyId,
          transition,
          lenient: false,
          alsoCommit: (tx) => {
            if (!confirm) return;
            const previous = snapshotOf(view);
            // Read inside the transaction, after its events: the revision this change takes.
            this.window.open(tx, {
              applyId,
              deadline,
              revision: tx.revision(),
              digest,
              plan: transition.plan,
              previous,
            });
          },
        },
        this.deps,
      );
      for (const { spec } of result.attached) this.deps.onAttached?.(spec);
      this.deps.logger.info(
        { applyId, revision: result.revision, plan: summary(transition.plan) },
        'applied',
      );
      return {
        outcome: { plan: transition.plan, revision: result.revision, applyId: confirm ? applyId : '' },
        before,
      };
    });
    if (made.retried) {
      const { plan, revision, applyId } = made.retried;
      return { plan, revision, applyId };
    }
    if (!made.before) return made.outcome;
    await this.checkProbesAfter(made.outcome, made.before);
    this.rollbacks.schedule(this.window.pending()!);
    return made.outcome;
  }

  /**
   * The probes required after the change, each with why: those that pass before it; with
   * probe_gateways, every gateway of the spec too.
   */
  private async probesBefore(desired: DesiredState, probeGateways: boolean): Promise<Map<string, string>> {
    const wanted = new Set(desired.networks.map((n) => n.name));
    const now = this.deps.state.listNetworks().filter((n) => wanted.has(n.spec.name));
    const passed = await passingProbes(probesOf(now, this.deps.driver), this.deps.logger);
    const required = new Map([...passed].map((id) => [id, 'it passed before the change']));
    if (probeGateways)
      for (const n of desired.networks)
        for (const s of n.subnets)
          if (s.gateway && !required.has(gatewayProbeId(s.gateway, n.name)))
            required.set(gatewayProbeId(s.gateway, n.name), 'probe_gateways');
    return required;
  }

  /** Runs the required probes after the change; one that fails rolls the change back at once (ABORTED). */
  private async checkProbesAfter(outcome: ApplyOutcome, required: Map<string, string>): Promise<void> {
    const wanted = new Set(
      outcome.plan.filter((s) => s.kind === 'network' && s.action !== 'DELETE').map((s) => s.name),
    );
    const probes = probesOf(
      this.deps.state.listNetworks().filter((n) => wanted.has(n.spec.name)),
      this.deps.driver,
    ).filter((p) => required.has(p.id));
    const passed = await passingProbes(probes, this.deps.logger);
    const failed = probes.filter((p) => !passed.has(p.id)).map((p) => `${p.id} (${required.get(p.id)})`);
    if (failed.length === 0) return;
    const why = `probe failed after the change: ${failed.join('; ')}`;
    const revision = await this.rollbacks.rollBack(outcome.applyId, why);
    throw new ApplyAbortedError(`apply ${outcome.applyId}: ${why}; rolled back at revision ${revision}`);
  }

  /** Keeps the Apply awaiting confirmation; a confirmation makes no revision. */
  async confirm(applyId: string): Promise<{ revision: number }> {
    checkApplyId(applyId);
    return this.deps.mutex.run(async () => {
      const { state } = this.deps;
      const pending = this.window.pending();
      if (pending?.applyId === applyId) {
        this.rollbacks.cancelTimer();
        state.transact((tx) =>
          this.window.close(tx, { applyId, outcome: 'confirmed', reason: '', revision: pending.revision }),
        );
        this.deps.logger.info({ applyId }, 'apply confirmed');
        return { revision: state.revision() };
      }
      const ended = this.rollbacks.ended(applyId);
      if (ended.outcome === 'rolled back') {
        throw new PreconditionError(
          `apply ${applyId} was rolled back at revision ${ended.revision}: ${ended.reason}`,
        );
      }
      return { revision: state.revision() };
    });
  }

  /** Rolls the Apply awaiting confirmation back now. */
  async cancel(applyId: string): Promise<{ revision: number }> {
    checkApplyId(applyId);
    if (this.window.pending()?.applyId === applyId) {
      return { revision: await this.rollbacks.rollBack(applyId, 'cancelled (CancelApply)') };
    }
    const ended = this.rollbacks.ended(applyId);
    throw new PreconditionError(
      ended.outcome === 'confirmed'
        ? `apply ${applyId} was confirmed: it stays; apply another spec to change the host`
        : `apply ${applyId} was already rolled back at revision ${ended.revision}: ${ended.reason}`,
    );
  }

  /** At start: an Apply awaiting confirmation keeps its deadline; one past it is rolled back now. */
  async resume(): Promise<void> {
    await this.rollbacks.resume();
  }

  stop(): void {
    this.rollbacks.cancelTimer();
  }
}

function checkConfirmWithin(ms: number | undefined): void {
  if (ms === undefined || (ms >= MIN_CONFIRM_WITHIN_MS && ms <= MAX_CONFIRM_WITHIN_MS)) return;
  throw new InvalidSpecError('confirm_within', `${ms / 1000} s is out of range: use 1s to 1h`);
}

function checkApplyId(applyId: string): void {
  if (!/^[0-9a-f]{16}$/.test(applyId)) {
    throw new InvalidSpecError('apply_id', 'not an apply id (16 hexadecimal digits, as Apply returned it)');
  }
}

function summary(plan: readonly PlanStep[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const step of plan) counts[step.action] = (counts[step.action] ?? 0) + 1;
  return counts;
}
