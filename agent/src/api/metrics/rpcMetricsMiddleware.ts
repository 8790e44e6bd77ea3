import { ServerError, Status, type CallContext, type ServerMiddlewareCall } from 'nice-grpc';
import type { AgentMetrics } from './AgentMetrics';

/** `/mvnet.v1.AgentService/CreateNetwork` → `AgentService/CreateNetwork`: the service without its package. */
export function methodLabel(path: string): string {
  const [service = '', method = ''] = path.replace(/^\//, '').split('/');
  return `${service.slice(service.lastIndexOf('.') + 1)}/${method}`;
}

/**
 * Counts every call by method and final status, and times it, as the outermost middleware: refusals
 * of the access middleware count too (UNAUTHENTICATED, PERMISSION_DENIED). A call its client cancelled
 * counts as CANCELLED. Only methods the server has reach a middleware, so the label values are a fixed list.
 */
export function rpcMetricsMiddleware(metrics: AgentMetrics) {
  return async function* <Request, Response>(
    call: ServerMiddlewareCall<Request, Response>,
    context: CallContext,
  ): AsyncGenerator<Response, Response | void, undefined> {
    const method = methodLabel(call.method.path);
    const done = metrics.rpcSeconds.startTimer({ method });
    let code: string | undefined;
    try {
      return yield* call.next(call.request, context);
    } catch (err) {
      code = err instanceof ServerError ? Status[err.code] : 'UNKNOWN';
      throw err;
    } finally {
      done();
      code ??= context.signal.aborted ? 'CANCELLED' : 'OK';
      metrics.rpcRequests.inc({ method, code });
    }
  };
}
