import type { CallContext, ServerMiddlewareCall } from 'nice-grpc';
import { checkRequestText } from './checkRequestText';
import { UNDECODABLE } from './guardDecoding';

/**
 * What every request of every service passes before its handler runs: it was decoded (guardDecoding's
 * marker is refused with its status), and all its text is printable and bounded (checkRequestText).
 * A streamed request (reflection's) is checked message by message. Refusals are domain errors, which
 * errorStatusMiddleware (outside this one) maps to their status.
 */
export async function* requestChecksMiddleware<Request, Response>(
  call: ServerMiddlewareCall<Request, Response>,
  context: CallContext,
): AsyncGenerator<Response, Response | void, undefined> {
  if (!call.requestStream) {
    checkRequest(call.request);
    return yield* call.next(call.request, context);
  }
  return yield* call.next(checkedStream(call.request), context);
}

function checkRequest(request: unknown): void {
  if (request !== null && typeof request === 'object' && UNDECODABLE in request) {
    throw (request as { [UNDECODABLE]: Error })[UNDECODABLE];
  }
  checkRequestText(request);
}

async function* checkedStream<Request>(requests: AsyncIterable<Request>): AsyncIterable<Request> {
  for await (const request of requests) {
    checkRequest(request);
    yield request;
  }
}
