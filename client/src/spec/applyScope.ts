import type { Endpoint } from '../../../proto/gen/mvnet/v1/endpoint';

/** The label that says who manages an endpoint: Apply manages those without it, or with `apply`. */
export const MANAGED_BY_LABEL = 'mvnet.io/managed-by';

/**
 * True for an endpoint outside Apply's scope: one labelled mvnet.io/managed-by with a value other
 * than `apply` (the CNI plugin's `cni`). Apply never deletes it; export leaves it out.
 */
export function isOutsideApply(endpoint: Pick<Endpoint, 'labels'>): boolean {
  const managedBy = Object.hasOwn(endpoint.labels ?? {}, MANAGED_BY_LABEL)
    ? endpoint.labels[MANAGED_BY_LABEL]
    : undefined;
  return managedBy !== undefined && managedBy !== 'apply';
}
