/** What the fleet figures say, in sentences computed from them (printed, and in BENCHMARKS.md). */
import type { ClientProfile } from './clientProfile';
import type { FleetFigures, KindFigures, SimulatedFigures } from './fleetFigures';
import type { RolloutKind } from './runRounds';

/** The issue's goals: 50 agents in at most 3× one agent's time; 1,000 simulated ones in 30 s. */
export const REAL_RATIO_GOAL = 3;
export const SIMULATED_GOAL_S = 30;

const s = (ms: number) => (ms / 1000).toFixed(2);
const ms = (v: number) => v.toFixed(0);
const pct = (f: number) => `${Math.round(f * 100)}%`;
const verdict = (met: boolean) => (met ? 'met' : 'missed');

/** The per-host phases that grew the most (in ms of median) from one kind's figures to another's. */
function growth(from: KindFigures, to: KindFigures, top: number): string[] {
  return to.phases
    .map((p) => ({ p, before: from.phases.find((q) => q.phase === p.phase)?.perHost.median ?? 0 }))
    .sort((a, b) => b.p.perHost.median - b.before - (a.p.perHost.median - a.before))
    .slice(0, top)
    .map(({ p, before }) => `${p.phase} ${ms(before)} → ${ms(p.perHost.median)} ms`);
}

/** The smallest and largest growth of the per-host phases' medians, as `a× to b×`. */
function factors(from: KindFigures, to: KindFigures): string {
  const grown = to.phases.flatMap((p) => {
    const before = from.phases.find((q) => q.phase === p.phase)?.perHost.median;
    return before ? [p.perHost.median / before] : [];
  });
  return `${Math.min(...grown).toFixed(0)}× to ${Math.max(...grown).toFixed(0)}×`;
}

function realLines(f: NonNullable<FleetFigures['real']>, cpus: number): string[] {
  const { sizes, ratio } = f;
  const [first, last] = [sizes[0], sizes.at(-1)!];
  const met = ratio.apply <= REAL_RATIO_GOAL;
  const one = first.apply.ms.median;
  const floorMs = last.apply.cpuMs / cpus;
  const lines = [
    `Real agents: ${last.hosts} took ${s(last.apply.ms.median)} s against ${s(one)} s for ${first.hosts}, ` +
      `${ratio.apply.toFixed(1)}× (goal ≤ ${REAL_RATIO_GOAL}×): ${verdict(met)}. Removing it: ${ratio.remove.toFixed(1)}×.`,
    `From ${first.hosts} to ${last.hosts} hosts (apply, medians): the fleet-wide plan ${ms(first.apply.planMs.median)} → ` +
      `${ms(last.apply.planMs.median)} ms; per host, ${growth(first.apply, last.apply, 3).join(', ')}; between a host's calls ` +
      `${ms(first.apply.gapMs.median)} → ${ms(last.apply.gapMs.median)} ms; each per-host phase grew ${factors(first.apply, last.apply)}.`,
    `CPU: the apply at ${last.hosts} took ${s(last.apply.cpuMs)} s of CPU (agents, their ip, the client; ` +
      `${ms(last.apply.cpuMs / last.hosts)} ms per host, ${last.apply.callsPerHost.toFixed(0)} calls to its agent), the CPUs ` +
      `${pct(last.apply.cpuBusy)} busy: on ${cpus} CPUs no less than ${s(floorMs)} s, ${(floorMs / one).toFixed(1)}× the ` +
      `one-host rollout. The client's own share, ${s(last.apply.clientCpuMs)} s (${ms(last.apply.clientCpuMs / last.hosts)} ms per ` +
      `host) on its one thread, is ${(last.apply.clientCpuMs / one).toFixed(1)}× the one-host rollout: the bound that remains ` +
      'when every agent has a machine of its own.',
  ];
  lines.push(
    `A Fleet held ${f.connections} TCP connection(s) to an agent once its own client and the new one of ` +
      '`Fleet.connect` (the "answers again" check before confirmApply) had both called it: ' +
      (f.connections === 1
        ? "the new client shares the first one's connection (grpc-js's global subchannel pool), so the check " +
          'opens no new connection.'
        : 'each client has its own.'),
  );
  if (f.profile) lines.push(profileLine(f.profile, last.hosts));
  return lines;
}

/** What the profiled round says about the client's thread. */
function profileLine(p: Record<RolloutKind, ClientProfile>, hosts: number): string {
  const row = (costs: ClientProfile, key: string) => costs.rows.find((r) => r.key === key)?.ms ?? 0;
  const top = [...p.apply.areas]
    .filter((a) => !a.label.startsWith('(idle)'))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 3)
    .map((a) => `${a.label} ${ms(a.ms)} ms`);
  return (
    `Profiled at ${hosts} hosts, the client's thread spent, of the apply's ${ms(p.apply.windowMs)} ms: ${top.join(', ')}; ` +
    `replanned (rollout.ts, a host's share made again when it moved since the plan) ${ms(row(p.apply, 'fresh'))} ms, ` +
    `${ms(row(p.apply, 'freshShares'))} ms of it in hostShares over all ${hosts} hosts of the file (the removal, whose file ` +
    `has no network and no endpoint: ${ms(row(p.remove, 'fresh'))} ms).`
  );
}

function simulatedLines(f: SimulatedFigures): string[] {
  const met = f.apply.ms.median / 1000 <= SIMULATED_GOAL_S;
  const lines = [
    `Simulated agents: ${f.hosts} in ${f.waves} waves took ${s(f.apply.ms.median)} s (goal ≤ ${SIMULATED_GOAL_S} s): ${verdict(met)}; ` +
      `the removal, the same waves, ${s(f.remove.ms.median)} s. The plan alone (every host read, then dry-run) took ` +
      `${s(f.apply.planMs.median)} s; a host waited ${ms(f.apply.gapMs.median)} ms between its calls in the apply ` +
      `(median), ${ms(f.remove.gapMs.median)} ms in the removal.`,
  ];
  if (f.profile) lines.push(profileLine(f.profile, f.hosts));
  const client = f.peaks.processes[0];
  const children = f.peaks.processes.slice(1);
  const childRss = Math.max(...children.map((c) => c.rssMiB));
  const childFds = Math.max(...children.map((c) => c.fds));
  lines.push(
    `Resources at ${f.hosts}: the client peaked at ${client.rssMiB.toFixed(0)} MiB and ${client.fds} open fds; each child ` +
      `(${Math.ceil(f.hosts / children.length)} agents) at most ${childRss.toFixed(0)} MiB and ${childFds} fds; the root namespace ` +
      `held at most ${f.peaks.tcp.established} established TCP sockets (both ends counted), ${f.peaks.tcp.timeWait} in TIME_WAIT ` +
      `and ${f.peaks.tcp.listen} listening, against ${f.portRange} ephemeral ports and an open-file limit of ${f.fileLimit}. ` +
      `The agents logged ${f.warnings} warning(s) or error(s)${f.firstWarnings.length > 0 ? `, first: ${f.firstWarnings[0]}` : ''}.`,
  );
  return lines;
}

export function fleetFindings(f: FleetFigures): string[] {
  return [
    ...(f.real ? realLines(f.real, f.machine.cpus) : []),
    ...(f.simulated ? simulatedLines(f.simulated) : []),
  ];
}
