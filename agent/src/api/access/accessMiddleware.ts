import { ServerError, Status, type CallContext, type ServerMiddlewareCall } from 'nice-grpc';
import type { Logger } from 'pino';
import type { AccessPolicy } from './AccessPolicy';
import { authenticateCall, type Caller } from './authenticateCall';
import { authorizeCall } from './authorizeCall';
import { requiredRole } from './requiredRole';

/** The service whose calls are authenticated and authorized; health and reflection need no role. */
const GUARDED_SERVICE = 'mvnet.v1.AgentService';

/**
 * Server middleware guarding AgentService: it authenticates every call (authenticateCall), lets it
 * through if the caller's role allows the method (authorizeCall), and writes one audit line for every
 * mutation, let through or refused: who (user and how authenticated), the method, the resulting status
 * and the revision it made. Health and reflection calls pass untouched.
 *
 * It runs outside errorStatusMiddleware, so every error it sees is already a status.
 */
export function accessMiddleware(policy: AccessPolicy, logger: Logger) {
  const audit = logger.child({ component: 'audit' });
  return async function* <Request, Response>(
    call: ServerMiddlewareCall<Request, Response>,
    context: CallContext,
  ): AsyncGenerator<Response, Response | void, undefined> {
    const [service, method] = call.method.path.slice(1).split('/');
    if (service !== GUARDED_SERVICE) return yield* call.next(call.request, context);
    const needed = requiredRole(method, call.request);
    let caller: Caller | undefined;
    try {
      caller = authenticateCall(context.metadata, policy);
      authorizeCall(caller, needed, method, policy);
      const response = yield* call.next(call.request, context);
      if (needed === 'operator') {
        const revision = (response as { revision?: unknown } | undefined)?.revision;
        audit.info({ ...who(caller), method, code: 'OK', revision, peer: context.peer }, 'audit');
      }
      return response;
    } catch (err) {
      if (needed === 'operator') {
        const code = err instanceof ServerError ? Status[err.code] : 'UNKNOWN';
        audit.info({ ...who(caller), method, code, peer: context.peer }, 'audit');
      }
      throw err;
    }
  };
}

/** The audit line's "who": a caller whose credentials were refused is logged as `none`. */
function who(caller: Caller | undefined): { user?: string; auth: string } {
  return caller ?? { auth: 'none' };
}
