import type { FleetPlan, HostPlan, RolloutPolicy } from '../fleet/fleetTypes';
import { rolloutWaves } from '../fleet/waves';
import { escapeUnprintable } from '../../../common/quoteText';
import { renderPlan } from './planDiff';

/**
 * A fleet plan for people: each host as a header (name, address, revision), then its plan as
 * `mvnet apply` shows it (planDiff), indented; a host that could not be planned says why. Then the
 * refusals, each naming its hosts (an unreachable host is one), or the waves the rollout would take.
 *
 *     h1 (10.0.0.11:7443), revision 4:
 *       + network vlan30
 *
 *       Plan: 1 to add, 0 to change, 0 to replace, 0 to delete, 0 unchanged.
 *
 *     Waves: canary h1; wave 1 h2, h3.
 */
export function renderFleetPlan(plan: FleetPlan, policy: RolloutPolicy): string {
  const hosts = plan.hosts.map(hostSection).join('\n');
  const refusals = refusalLines(plan);
  if (refusals.length > 0)
    return `${hosts}\nRefused, nothing will change (${countOf(refusals.length, 'problem')}):\n${refusals.map((r) => `  ${r}\n`).join('')}`;
  const changing = plan.hosts.filter((h) => h.changes > 0);
  if (changing.length === 0) return `${hosts}\nEvery host matches the file.\n`;
  const waves = rolloutWaves(changing, policy).map((wave, i) => {
    const names = wave.map((h) => h.name).join(', ');
    return i === 0 && policy.canary > 0 ? `canary ${names}` : `wave ${i} ${names}`;
  });
  const unchanged = plan.hosts.length - changing.length;
  return `${hosts}\n${countOf(changing.length, 'host')} to change, ${unchanged} unchanged. Waves: ${waves.join('; ')}.\n`;
}

/**
 * Every reason the plan is refused, one line each: a refusal with the hosts it names
 * (`h1, h2: ...`, an unreachable host among them), and each host that could not be planned for a
 * reason no refusal gives (its agent refused its share: `h3: ...`).
 */
export function refusalLines(plan: FleetPlan): string[] {
  const named = new Set(plan.refusals.flatMap((r) => r.hosts));
  return [
    ...plan.refusals.map((r) => `${r.hosts.join(', ')}: ${escapeUnprintable(r.message)}`),
    ...plan.hosts
      .filter((h) => h.error !== undefined && !named.has(h.name))
      .map((h) => `${h.name}: ${h.reachable ? '' : 'unreachable: '}${escapeUnprintable(h.error!)}`),
  ];
}

function hostSection(host: HostPlan): string {
  const where = `${host.name} (${host.address})`;
  if (!host.reachable) return `${where}: unreachable: ${escapeUnprintable(host.error ?? '')}\n`;
  if (host.error !== undefined)
    return `${where}, revision ${host.revision}: not planned: ${escapeUnprintable(host.error)}\n`;
  const diff = renderPlan(host.steps)
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n');
  return `${where}, revision ${host.revision}:\n${diff}`;
}

function countOf(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
