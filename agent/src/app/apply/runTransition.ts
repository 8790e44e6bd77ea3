/**
 * Carries out a transition, all or nothing. Its journal entry goes first (an agent that dies in the
 * middle undoes it at its next start: undoPending), then the kernel steps in order; when one fails, the
 * steps already taken are undone in reverse and nothing is committed. Otherwise the whole change is
 * committed in one transaction: one revision, an event per object changed. A rollback (`lenient`)
 * never stops at a step: what cannot be made again is committed with a status saying why.
 */
import type { Logger } from 'pino';
import type { Transition } from '../../domain/apply/applyModel';
import { ApplyAbortedError } from '../../domain/errors';
import { createdLinks } from '../../domain/linkOps';
import type { EndpointRecord, NetworkRecord, PendingApply } from '../../domain/model';
import { observeNetworkState } from '../../domain/networkStatus';
import type { HostState, HostStateTx } from '../../domain/ports/HostState';
import type { KernelCapabilities, LinkDriver } from '../../domain/ports/LinkDriver';
import { faultPoint } from '../../faultPoint';
import { tempLinkName } from '../reserveAttach';
import { commitTransition } from './commitTransition';
import { transitionSteps, type KernelStep, type StepOutcomes } from './transitionSteps';

export interface TransitionDeps {
  state: HostState;
  driver: LinkDriver;
  capabilities: KernelCapabilities;
  logger: Logger;
}

export interface TransitionRun {
  /** The Apply's id (or its rollback's), in the journal and the logs. */
  applyId: string;
  transition: Transition;
  /** A rollback: it goes on past a step that fails (see transitionSteps). */
  lenient: boolean;
  /** Written in the commit's transaction, after the objects (the pending confirmation, its end). */
  alsoCommit?: (tx: HostStateTx) => void;
}

export interface TransitionResult {
  /** The revision of the commit; the host's revision when nothing changed. */
  revision: number;
  /** The endpoints attached, as committed (with the namespace each went into, and its status). */
  attached: EndpointRecord[];
}

const keyOf = (spec: { network: string; name: string }) => `${spec.network}/${spec.name}`;

export async function runTransition(run: TransitionRun, deps: TransitionDeps): Promise<TransitionResult> {
  const { state, logger } = deps;
  const { transition, lenient } = run;
  const log = logger.child({ applyId: run.applyId });
  const tmpNames = new Map(transition.attach.map((a) => [keyOf(a.spec), tempLinkName()]));
  const before = { networks: state.listNetworks(), endpoints: state.listEndpoints() };
  const pending = state.beginPending(journalEntry(run, tmpNames));
  const outcomes: StepOutcomes = { attached: new Map() };
  const steps = transitionSteps(
    transition,
    tmpNames,
    { ...deps, logger: log, before, hostId: state.hostId() },
    lenient,
    outcomes,
  );
  const done: KernelStep[] = [];
  for (const [i, step] of steps.entries()) {
    try {
      faultPoint(lenient ? 'rollback-step' : 'apply-step');
      await step.run();
      done.push(step);
    } catch (err) {
      if (lenient) {
        log.error({ err, step: step.describe }, 'rollback: a step failed; going on');
        continue;
      }
      await undoSteps(done, pending, deps, log);
      throw new ApplyAbortedError(
        `step ${i + 1} of ${steps.length} (${step.describe}) failed: ${reasonOf(err)}; the ${done.length} step(s) before it were undone, nothing changed`,
        { cause: err },
      );
    }
  }
  try {
    if (!lenient) faultPoint('apply-before-commit');
    const observed = await observeNetworks(transition, deps.driver);
    const attached = transition.attach.map((a) => outcomes.attached.get(keyOf(a.spec))!).filter(Boolean);
    state.transact((tx) => {
      commitTransition(tx, { transition, attached, observed, existed: before });
      run.alsoCommit?.(tx);
      tx.endPending(pending);
    });
    return { revision: state.revision(), attached };
  } catch (err) {
    if (lenient) throw err;
    await undoSteps(done, pending, deps, log);
    throw new ApplyAbortedError(
      `the commit failed: ${reasonOf(err)}; every step was undone, nothing changed`,
      {
        cause: err,
      },
    );
  }
}

/**
 * Undoes the steps taken, last first. The journal entry goes only when every undo succeeded; otherwise
 * the next start tries again (undoPending, then the restore).
 */
async function undoSteps(
  done: KernelStep[],
  pending: number,
  deps: TransitionDeps,
  log: Logger,
): Promise<void> {
  let clean = true;
  for (const step of [...done].reverse()) {
    try {
      faultPoint('rollback-step');
      await step.undo();
    } catch (err) {
      clean = false;
      log.error(
        { err, step: step.describe },
        'could not undo a step of a failed Apply: left for the next start',
      );
    }
  }
  if (clean) deps.state.endPending(pending);
}

/** The journal entry: everything the transition makes, so that a crash leaves none of it. */
function journalEntry(run: TransitionRun, tmpNames: ReadonlyMap<string, string>): PendingApply {
  const { createNetworks, attach } = run.transition;
  return {
    kind: 'apply',
    applyId: run.applyId,
    networks: createNetworks.map(({ record, ops }) => ({
      network: record.spec.name,
      creates: createdLinks(ops),
    })),
    promiscuous: createNetworks.flatMap(({ ops }) =>
      ops.flatMap((op) => (op.op === 'setPromiscuous' && op.on ? [op.name] : [])),
    ),
    attaches: attach.map(({ spec }) => ({
      network: spec.network,
      name: spec.name,
      netns: spec.netns,
      netnsRef: spec.netnsRef,
      ifname: spec.ifname,
      tmpName: tmpNames.get(keyOf(spec))!,
    })),
  };
}

/** The state of each network made, from its parent link (and that link's lower) as the kernel shows it now. */
async function observeNetworks(
  transition: Transition,
  driver: LinkDriver,
): Promise<Map<string, Pick<NetworkRecord['status'], 'state' | 'message'>>> {
  const observed = new Map<string, Pick<NetworkRecord['status'], 'state' | 'message'>>();
  for (const { record } of transition.createNetworks) {
    const link = await driver.getLink(record.status.parentLink);
    const lower = link?.parent === undefined ? undefined : await driver.getLink(link.parent);
    observed.set(record.spec.name, observeNetworkState(record.status.parentLink, link, lower));
  }
  return observed;
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
