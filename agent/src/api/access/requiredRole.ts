/** The roles of --authorization-file. A viewer reads; an operator does everything. */
export type Role = 'viewer' | 'operator';

/** Reads, by name (Kubernetes' get, list and watch verbs): GetHost, GetNetwork, ListEndpoints... */
const READ = /^(Get|List)[A-Z]/;

/**
 * The role an AgentService call needs: viewer for GetHost, Get*, List*, Watch and Apply with
 * `dry_run` (it only plans); operator for every other method, so that a method added later is
 * guarded until someone decides otherwise.
 */
export function requiredRole(method: string, request: unknown): Role {
  if (READ.test(method) || method === 'Watch') return 'viewer';
  if (method === 'Apply' && (request as { dryRun?: unknown } | undefined)?.dryRun === true) return 'viewer';
  return 'operator';
}
