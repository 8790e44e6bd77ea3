import type { HostStatus } from '../fleet/Fleet';
import type { FleetHost, FleetPlan, FleetProgress, HostRolloutState } from '../fleet/fleetTypes';
import { escapeUnprintable } from '../../../common/quoteText';
import { renderJson, renderTable, yesNo } from './format';

/** Where one host stands at the end of a rollout: its last progress event, and what earlier ones told. */
export interface HostOutcome {
  name: string;
  address: string;
  state: HostRolloutState;
  revision?: number;
  changes?: number;
  message: string;
}

/**
 * Follows a rollout's progress events to where each host stands: its last state and message, and the
 * last revision and count of changes any of its events gave. A host no event named is Pending.
 */
export class RolloutOutcomes {
  private readonly byName = new Map<string, HostOutcome>();

  constructor(readonly hosts: readonly FleetHost[]) {
    for (const { name, address } of hosts)
      this.byName.set(name, { name, address, state: 'Pending', message: 'not started' });
  }

  record(progress: FleetProgress): void {
    const outcome = this.byName.get(progress.host);
    if (!outcome) return;
    outcome.state = progress.state;
    outcome.message = progress.message;
    if (progress.revision !== undefined) outcome.revision = progress.revision;
    if (progress.changes !== undefined) outcome.changes = progress.changes;
  }

  /** Every host that has not started or ended yet, as the refused or stopped rollout leaves it. */
  abortPending(message: string): void {
    for (const outcome of this.byName.values())
      if (outcome.state === 'Pending' || outcome.state === 'Progressing') {
        outcome.state = 'Aborted';
        outcome.message = message;
      }
  }

  /**
   * A refused plan: no host started. Each host is Aborted, with the refusals that name it in its
   * message (one address on it and another host, it cannot be reached), or else its own error.
   */
  refuse(plan: FleetPlan): void {
    for (const outcome of this.byName.values()) {
      const error = plan.hosts.find((h) => h.name === outcome.name)?.error;
      const named = plan.refusals.filter((r) => r.hosts.includes(outcome.name)).map((r) => r.message);
      const reasons = named.length > 0 || error === undefined ? named : [error];
      outcome.state = 'Aborted';
      outcome.message = `not started: the plan was refused${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''}`;
    }
  }

  /** The hosts in file order. */
  get outcomes(): HostOutcome[] {
    return this.hosts.map((h) => this.byName.get(h.name)!);
  }

  /** True when every host is Available. */
  get ok(): boolean {
    return this.outcomes.every((o) => o.state === 'Available');
  }
}

/** The table at the end of `fleet apply`: HOST, STATE, REVISION, CHANGES, MESSAGE. */
export function renderOutcomeTable(outcomes: readonly HostOutcome[]): string {
  return renderTable({
    headers: ['HOST', 'STATE', 'REVISION', 'CHANGES', 'MESSAGE'],
    rows: outcomes.map((o) => [
      o.name,
      o.state,
      o.revision === undefined ? '' : String(o.revision),
      o.changes === undefined ? '' : String(o.changes),
      escapeUnprintable(o.message),
    ]),
  });
}

/**
 * `fleet apply --output json`: one document, `{"ok", "hosts": [{"name", "address", "state",
 * "revision", "changes", "message"}]}`, a revision or count not known being null.
 */
export function renderOutcomeJson(outcomes: readonly HostOutcome[]): string {
  return renderJson({
    ok: outcomes.every((o) => o.state === 'Available'),
    hosts: outcomes.map((o) => ({
      name: o.name,
      address: o.address,
      state: o.state,
      revision: o.revision ?? null,
      changes: o.changes ?? null,
      message: o.message,
    })),
  });
}

/** `fleet status`: HOST, REACHABLE, REVISION, DRIFT (objects to change to match the file), PENDING, ERROR. */
export function renderStatusTable(statuses: readonly HostStatus[]): string {
  return renderTable({
    headers: ['HOST', 'REACHABLE', 'REVISION', 'DRIFT', 'PENDING', 'ERROR'],
    rows: statuses.map((s) => [
      s.name,
      yesNo(s.reachable),
      s.revision === undefined ? '' : String(s.revision),
      s.drift === undefined ? '' : String(s.drift),
      s.pendingApplyId ?? '',
      escapeUnprintable(s.error ?? ''),
    ]),
  });
}

/**
 * `fleet status --output json`: `{"ok", "hosts": [{"name", "address", "reachable", "revision",
 * "drift", "pendingApplyId", "error"}]}`, null where not known; ok when every host could be read.
 */
export function renderStatusJson(statuses: readonly HostStatus[]): string {
  return renderJson({
    ok: statusOk(statuses),
    hosts: statuses.map((s) => ({
      name: s.name,
      address: s.address,
      reachable: s.reachable,
      revision: s.revision ?? null,
      drift: s.drift ?? null,
      pendingApplyId: s.pendingApplyId ?? null,
      error: s.error ?? null,
    })),
  });
}

/** True when every host was read and planned: drift is what status shows, not a failure. */
export function statusOk(statuses: readonly HostStatus[]): boolean {
  return statuses.every((s) => s.reachable && s.error === undefined);
}
