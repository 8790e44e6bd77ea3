import { PlanStep, Spec } from '../../../proto/gen/mvnet/v1/apply';
import { changesOf } from '../fleet/Fleet';
import type { FleetHost, FleetPlan, FleetRefusal, HostPlan } from '../fleet/fleetTypes';
import { quoteText } from '../../../common/quoteText';
import { CliUsageError } from './CliUsageError';

/**
 * A FleetPlan as JSON, as `fleet plan --out` saves it and `fleet plan --output json` prints it: each
 * host's spec and steps in the proto's JSON (enum names: PLAN_ACTION_CREATE), its revision, and the
 * refusals. readFleetPlan reads it back.
 */
export function fleetPlanJson(plan: FleetPlan): unknown {
  return {
    ok: plan.ok,
    refusals: plan.refusals.map(({ hosts, message }) => ({ hosts, message })),
    hosts: plan.hosts.map((h) => ({
      name: h.name,
      address: h.address,
      revision: h.revision,
      reachable: h.reachable,
      changes: h.changes,
      ...(h.error === undefined ? {} : { error: h.error }),
      spec: Spec.toJSON(Spec.fromPartial(h.spec)),
      steps: h.steps.map((step) => PlanStep.toJSON(step)),
    })),
  };
}

/**
 * A plan saved by `fleet plan --out`, checked against the fleet file it is applied with: the same
 * hosts (names and addresses), each once. `ok` and each host's `changes` are worked out again (from
 * the refusals and errors, from the steps), not taken from the file. A file of another shape is a usage error naming the field.
 */
export function readFleetPlan(text: string, source: string, hosts: readonly FleetHost[]): FleetPlan {
  const fail = (path: string, why: string): never => {
    throw new CliUsageError(`${source}: ${path === '' ? '' : `${path}: `}${why}`);
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return fail('', `not a saved fleet plan (JSON): ${(err as Error).message}`);
  }
  const root = objectAt(value, '', fail);
  const refusals = arrayAt(root.refusals, 'refusals', fail).map((r, i): FleetRefusal => {
    const refusal = objectAt(r, `refusals[${i}]`, fail);
    return {
      hosts: arrayAt(refusal.hosts, `refusals[${i}].hosts`, fail).map((h, j) =>
        stringAt(h, `refusals[${i}].hosts[${j}]`, fail),
      ),
      message: stringAt(refusal.message, `refusals[${i}].message`, fail),
    };
  });
  const planned = arrayAt(root.hosts, 'hosts', fail).map((h, i) => hostPlanAt(h, `hosts[${i}]`, fail));
  const names = new Set<string>();
  for (const [i, h] of planned.entries()) {
    const host = hosts.find((f) => f.name === h.name);
    if (!host) fail(`hosts[${i}].name`, `${quoteText(h.name)} is not a host of the fleet file`);
    else if (host.address !== h.address)
      fail(
        `hosts[${i}].address`,
        `${h.name} was planned at ${h.address}, the fleet file has ${host.address}`,
      );
    if (names.has(h.name)) fail(`hosts[${i}].name`, `${h.name} is planned twice`);
    names.add(h.name);
  }
  const missing = hosts.filter((h) => !names.has(h.name)).map((h) => h.name);
  if (missing.length > 0)
    fail('hosts', `the plan lacks ${missing.join(', ')} of the fleet file: plan again with fleet plan --out`);
  const ok = refusals.length === 0 && planned.every((h) => h.error === undefined);
  return { ok, refusals, hosts: planned };
}

type Fail = (path: string, why: string) => never;

function hostPlanAt(value: unknown, path: string, fail: Fail): HostPlan {
  const h = objectAt(value, path, fail);
  const revision = h.revision;
  if (typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision < 0)
    fail(`${path}.revision`, 'expected a revision (a whole number)');
  if (typeof h.reachable !== 'boolean') fail(`${path}.reachable`, 'expected true or false');
  const steps = arrayAt(h.steps, `${path}.steps`, fail).map((s, i) => {
    objectAt(s, `${path}.steps[${i}]`, fail);
    return PlanStep.fromJSON(s);
  });
  return {
    name: stringAt(h.name, `${path}.name`, fail),
    address: stringAt(h.address, `${path}.address`, fail),
    revision: revision as number,
    reachable: h.reachable as boolean,
    spec: Spec.fromJSON(objectAt(h.spec, `${path}.spec`, fail)),
    steps,
    changes: changesOf(steps),
    ...(h.error === undefined ? {} : { error: stringAt(h.error, `${path}.error`, fail) }),
  };
}

function objectAt(value: unknown, path: string, fail: Fail): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail(path, path === '' ? 'not a saved fleet plan: expected a JSON object' : 'expected an object');
  return value as Record<string, unknown>;
}

function arrayAt(value: unknown, path: string, fail: Fail): unknown[] {
  return Array.isArray(value) ? value : fail(path, 'expected a list');
}

function stringAt(value: unknown, path: string, fail: Fail): string {
  return typeof value === 'string' ? value : fail(path, 'expected a string');
}
