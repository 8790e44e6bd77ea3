import { PlanAction, ResourceKind, type PlanStep } from '../../../proto/gen/mvnet/v1/apply';

/** How each action reads, terraform's and kubectl diff's signs: what it does, and how the summary counts it. */
const ACTIONS: ReadonlyMap<PlanAction, { sign: string; counted: string }> = new Map([
  [PlanAction.PLAN_ACTION_CREATE, { sign: '+', counted: 'to add' }],
  [PlanAction.PLAN_ACTION_UPDATE, { sign: '~', counted: 'to change' }],
  [PlanAction.PLAN_ACTION_REPLACE, { sign: '-/+', counted: 'to replace' }],
  [PlanAction.PLAN_ACTION_DELETE, { sign: '-', counted: 'to delete' }],
  [PlanAction.PLAN_ACTION_KEEP, { sign: ' ', counted: 'unchanged' }],
]);

const KINDS: ReadonlyMap<ResourceKind, string> = new Map([
  [ResourceKind.RESOURCE_KIND_NETWORK, 'network'],
  [ResourceKind.RESOURCE_KIND_ENDPOINT, 'endpoint'],
  [ResourceKind.RESOURCE_KIND_HOST, 'host'],
]);

/** The line of a step whose action this client does not know (an agent newer than it). */
const UNKNOWN = { sign: '?', counted: 'of another action' };

/**
 * A plan as a diff, in the agent's order (the order the steps run in): one line per object that
 * changes, `+ network vlan30`, `~ endpoint c1 on vlan30 (labels: ...)`, `-/+ network n (parent:
 * eth0.10 → eth0.20)`, `- network old`, with the agent's reason in parentheses; then a line counting
 * each action (`Plan: 1 to add, 0 to change, 0 to replace, 1 to delete, 5 unchanged.`). KEEP steps
 * are only counted. A plan of KEEP steps alone is `No changes: the host matches the spec.`
 */
export function renderPlan(plan: readonly PlanStep[]): string {
  const changes = plan.filter((step) => step.action !== PlanAction.PLAN_ACTION_KEEP);
  if (changes.length === 0) return 'No changes: the host matches the spec.\n';
  const lines = changes.map((step) => `${planLine(step)}\n`).join('');
  return `${lines}\n${planSummary(plan)}\n`;
}

/** One step: its sign, its kind and name (an endpoint's network after it), its reason. */
export function planLine(step: PlanStep): string {
  const { sign } = ACTIONS.get(step.action) ?? UNKNOWN;
  const kind = KINDS.get(step.kind) ?? 'object';
  const where = step.network === '' ? '' : ` on ${step.network}`;
  const reason = step.reason === '' ? '' : ` (${step.reason})`;
  return `${sign} ${kind} ${step.name}${where}${reason}`;
}

/** `Plan: 1 to add, 1 to change, 1 to replace, 1 to delete, 5 unchanged.` (and any other action, counted). */
export function planSummary(plan: readonly PlanStep[]): string {
  const counts = new Map<string, number>([...ACTIONS.values()].map(({ counted }) => [counted, 0]));
  for (const step of plan) {
    const { counted } = ACTIONS.get(step.action) ?? UNKNOWN;
    counts.set(counted, (counts.get(counted) ?? 0) + 1);
  }
  const parts = [...counts].filter(([counted, n]) => n > 0 || counted !== UNKNOWN.counted);
  return `Plan: ${parts.map(([counted, n]) => `${n} ${counted}`).join(', ')}.`;
}
