/**
 * Apply's scope. An endpoint labelled `mvnet.io/managed-by` with a value other than "apply" belongs to
 * another manager (the CNI plugin sets "cni"): Apply never deletes or changes it, counts its addresses
 * as taken, and refuses to delete the network under it. Every other endpoint, imperative ones
 * included, is Apply's: a spec that lacks it deletes it (gNMI `replace`).
 */
import type { EndpointRecord } from '../model';

export const MANAGED_BY = 'mvnet.io/managed-by';

/** The value Apply's own endpoints may carry. */
export const MANAGED_BY_APPLY = 'apply';

/** Whether labels put an endpoint outside Apply's scope. */
export function isOutOfScope(labels: Readonly<Record<string, string>>): boolean {
  const manager = labels[MANAGED_BY];
  return manager !== undefined && manager !== MANAGED_BY_APPLY;
}

/** Splits endpoints into Apply's and the others'. */
export function splitByScope(endpoints: readonly EndpointRecord[]): {
  inScope: EndpointRecord[];
  outOfScope: EndpointRecord[];
} {
  const inScope: EndpointRecord[] = [];
  const outOfScope: EndpointRecord[] = [];
  for (const e of endpoints) (isOutOfScope(e.spec.labels) ? outOfScope : inScope).push(e);
  return { inScope, outOfScope };
}
