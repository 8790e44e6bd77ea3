import type { Logger } from 'pino';
import { StorageFullError } from '../domain/errors';
import { describeLinkOp } from '../domain/linkOps';
import { planRestore, type RestoreStep } from '../domain/planRestore';
import type { HostState, HostStateTx } from '../domain/ports/HostState';
import type { KernelCapabilities, LinkDriver } from '../domain/ports/LinkDriver';
import { applyLinkOps } from './applyLinkOps';
import { recordUnlessFull } from './recordUnlessFull';

export interface RestoreDeps {
  state: HostState;
  driver: LinkDriver;
  capabilities: KernelCapabilities;
  logger: Logger;
  /** This boot's id (/proc/sys/kernel/random/boot_id): a new one means the host rebooted. */
  bootId: string;
}

/** What the agent found and did at start. */
export interface RestoreReport {
  reboot: boolean;
  repaired: string[];
  failed: string[];
  /** The kernel operations the repairs took (link add, address, up, route...), failed ones included. */
  ops: number;
}

/**
 * Brings the kernel back in line with the durable state at start (after a restart, a crash or a
 * reboot), before the agent serves. Each repair is logged and recorded as a DRIFT event of its network;
 * a repair that fails is logged and left in the network's status, and the others go on.
 */
export async function restoreHost(deps: RestoreDeps): Promise<RestoreReport> {
  const { state, logger } = deps;
  const previousBoot = state.getMeta('boot_id');
  const reboot = previousBoot !== undefined && previousBoot !== deps.bootId;
  logger.info(
    { reboot, revision: state.revision(), networks: state.listNetworks().length },
    previousBoot
      ? reboot
        ? 'host rebooted since last run: restoring'
        : 'agent restarted: checking the host'
      : 'first start on this host',
  );
  const started = process.hrtime.bigint();
  const report: RestoreReport = { reboot, ...(await repairHostLinks(deps)) };
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const { repaired, failed, ops } = report;
  logger.info({ ms, repaired: repaired.length, failed: failed.length, ops }, 'host links restored');
  recordUnlessFull(
    logger,
    'the boot id',
    () => state.transact((tx) => tx.setMeta('boot_id', deps.bootId)),
    () => undefined,
  );
  return report;
}

/**
 * Makes the host's links match the state: the plan of planRestore, from one read of the host's links,
 * carried out step by step; a failed step is logged and the others go on. The repairs are then recorded
 * together, each as a DRIFT event of its network under a revision of its own, in one commit (a reboot
 * repairs every network: one sync to disk, not one per network). Used at start and whenever the kernel
 * reports a change (DriftService).
 */
export async function repairHostLinks(
  deps: Omit<RestoreDeps, 'bootId'>,
): Promise<Omit<RestoreReport, 'reboot'>> {
  const { state, driver, logger } = deps;
  const links = new Map((await driver.listLinks()).map((l) => [l.name, l]));
  const report = { repaired: [] as string[], failed: [] as string[], ops: 0 };
  const endpointAddresses = new Map<string, string[]>();
  for (const { spec } of state.listEndpoints()) {
    const addresses = [spec.ipv4Address, spec.ipv6Address].filter(Boolean);
    const list = endpointAddresses.get(spec.network);
    if (list) list.push(...addresses);
    else endpointAddresses.set(spec.network, addresses);
  }
  const repaired: { step: RestoreStep; log: Logger }[] = [];
  for (const step of planRestore(
    state.listNetworks(),
    links,
    deps.capabilities,
    state.hostId(),
    endpointAddresses,
  )) {
    const log = logger.child({ network: step.network, ops: step.ops.map(describeLinkOp) });
    report.ops += step.ops.length;
    try {
      await applyLinkOps(driver, step.ops);
    } catch (err) {
      log.error({ err }, `could not repair: ${step.reason}`);
      report.failed.push(step.reason);
      continue;
    }
    report.repaired.push(step.reason);
    repaired.push({ step, log });
  }
  recordRepairs(repaired, state, logger);
  return report;
}

/** The repairs' DRIFT events (an orphan's removal has no network, and no event), in one commit. */
function recordRepairs(
  repaired: { step: RestoreStep; log: Logger }[],
  state: HostState,
  logger: Logger,
): void {
  const recorded = repaired.filter(({ step }) => step.network && state.getNetwork(step.network));
  const record = ({ step }: (typeof recorded)[number]) => {
    const network = state.getNetwork(step.network!)!;
    const name = network.spec.name;
    return (tx: HostStateTx) =>
      tx.recordEvent({
        type: 'DRIFT',
        kind: 'network',
        network: name,
        name,
        object: network,
        message: step.reason,
      });
  };
  const outcomes = recordUnlessFull(
    logger,
    'the repairs',
    () => state.transactEach(recorded.map(record)),
    () => undefined,
  );
  const revisions = new Map<RestoreStep, number | undefined>();
  recorded.forEach(({ step, log }, i) => {
    const outcome = outcomes?.[i];
    if (outcome && 'error' in outcome) {
      // A full disk inside the group commit: as recordUnlessFull does for the whole; anything else is a bug.
      if (!(outcome.error instanceof StorageFullError)) throw outcome.error;
      log.warn({ err: outcome.error.message }, 'the repair not recorded: the state disk is full');
    }
    revisions.set(step, outcome && 'value' in outcome ? outcome.value : undefined);
  });
  for (const { step, log } of repaired) log.info({ revision: revisions.get(step) }, step.reason);
}
