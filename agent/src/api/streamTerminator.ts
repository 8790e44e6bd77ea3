/**
 * Ends long-running streams (Watch, health Watch) when the agent shuts down, with UNAVAILABLE, so that a
 * graceful shutdown does not wait for clients to hang up and every watcher learns at once that it must
 * reconnect (the SDK resumes from its last revision). The same idea as nice-grpc's
 * nice-grpc-server-middleware-terminator, which the registry here does not carry: its `abortOnTerminate`
 * is honoured (nice-grpc-server-health calls it), and every server-streaming call is marked anyway.
 */
import { ServerError, Status, type CallContext, type ServerMiddlewareCall } from 'nice-grpc';

export interface StreamTerminator {
  middleware: <Request, Response>(
    call: ServerMiddlewareCall<Request, Response>,
    context: CallContext,
  ) => AsyncGenerator<Response, Response | void, undefined>;
  /** Aborts every marked call under way, and marks later ones aborted from their start. */
  terminate(): void;
}

const SHUTTING_DOWN =
  'mvnet-agent is shutting down: call again once it is back (a watch resumes from its last revision)';

export function streamTerminator(): StreamTerminator {
  const marked = new Set<AbortController>();
  let terminated = false;
  async function* middleware<Request, Response>(
    call: ServerMiddlewareCall<Request, Response>,
    context: CallContext,
  ): AsyncGenerator<Response, Response | void, undefined> {
    const controller = new AbortController();
    const abort = () => controller.abort();
    context.signal.addEventListener('abort', abort);
    const mark = () => {
      marked.add(controller);
      if (terminated) controller.abort();
    };
    if (call.responseStream) mark();
    const endedByUs = () => terminated && marked.has(controller) && !context.signal.aborted;
    try {
      const inner: CallContext & { abortOnTerminate(): void } = {
        ...context,
        signal: controller.signal,
        abortOnTerminate: mark,
      };
      const result = yield* call.next(call.request, inner);
      if (endedByUs()) throw new ServerError(Status.UNAVAILABLE, SHUTTING_DOWN);
      return result;
    } catch (err) {
      if (endedByUs() && !(err instanceof ServerError))
        throw new ServerError(Status.UNAVAILABLE, SHUTTING_DOWN);
      throw err;
    } finally {
      marked.delete(controller);
      context.signal.removeEventListener('abort', abort);
    }
  }
  return {
    middleware,
    terminate() {
      terminated = true;
      for (const controller of marked) controller.abort();
    },
  };
}
