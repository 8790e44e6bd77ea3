import { ServerError, Status } from 'nice-grpc';
import type { AccessPolicy } from './AccessPolicy';
import type { Caller } from './authenticateCall';
import type { Role } from './requiredRole';

/**
 * Lets a caller through to a method that needs `needed`, or throws PERMISSION_DENIED naming the user
 * and what is missing. Callers on the unix socket and, where no credentials are configured, everyone
 * are operators; an authenticated user is an operator without --authorization-file, and otherwise
 * holds the role the file gives it, or none.
 */
export function authorizeCall(caller: Caller, needed: Role, method: string, policy: AccessPolicy): void {
  if (caller.user === undefined || !policy.roles) return;
  const role = policy.roles.get(caller.user);
  if (!role)
    throw new ServerError(
      Status.PERMISSION_DENIED,
      `user ${caller.user} has no role on this agent: its --authorization-file names viewers and operators`,
    );
  if (needed === 'operator' && role === 'viewer')
    throw new ServerError(
      Status.PERMISSION_DENIED,
      `user ${caller.user} is a viewer: ${method} needs the operator role`,
    );
}
