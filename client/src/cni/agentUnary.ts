/**
 * A unary gRPC call to the local agent over node:http2, the one thing the CNI plugin needs of gRPC.
 *
 * Why not the SDK (nice-grpc on @grpc/grpc-js): a CNI plugin is a process per call, and loading those
 * libraries costs the process about 30-60 ms before its first byte (measured here: `node -e
 * "require('@grpc/grpc-js')"` 94 ms and nice-grpc 121 ms against 62 ms for an empty node), several
 * times the plugin's whole budget of 10 ms (issue 16). node:http2 is part of node and costs a few ms.
 * What is implemented is gRPC's HTTP/2 mapping for a unary call without compression
 * (PROTOCOL-HTTP2.md): a POST with `content-type: application/grpc` and `te: trailers`, one
 * length-prefixed message each way, `grpc-status`, `grpc-message` and `grpc-status-details-bin` in the
 * trailers (or in the headers of a trailers-only answer), a deadline as `grpc-timeout`.
 */
import http2 from 'node:http2';
import net from 'node:net';
import { unixSocketPath } from './cniRequest';

/** gRPC status codes the plugin tells apart (the rest are reported by number and message). */
export const GrpcStatus = {
  OK: 0,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/**
 * A call that ended with a status other than OK, or never reached the agent (UNAVAILABLE).
 * `statusDetails`: its `grpc-status-details-bin` trailer (a google.rpc.Status), when the agent sent one.
 */
export class CallError extends Error {
  constructor(
    readonly status: number,
    readonly details: string,
    readonly statusDetails?: Uint8Array,
  ) {
    super(details);
  }
}

/** An answer larger than this is refused: the plugin's answers are one endpoint, or a network's endpoints. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** One HTTP/2 connection to the agent, for the calls of one plugin run. */
export class AgentConnection {
  private readonly session: http2.ClientHttp2Session;
  private failure?: Error;

  /** `address`: `unix:///path` or `host:port` (plaintext: the agent's loopback listener). */
  constructor(address: string) {
    const unix = unixSocketPath(address);
    this.session = unix
      ? http2.connect('http://localhost', { createConnection: () => net.connect(unix) })
      : http2.connect(`http://${address}`);
    this.session.on('error', (err) => (this.failure = err));
  }

  /** Calls `/mvnet.v1.AgentService/Method` (any full path) with an encoded request; resolves the encoded answer. */
  call(path: string, request: Uint8Array, deadlineMs: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(unavailable(this.failure));
      const stream = this.session.request({
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/grpc',
        te: 'trailers',
        'grpc-timeout': `${Math.max(1, Math.ceil(deadlineMs))}m`,
      });
      const timer = setTimeout(() => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        reject(
          new CallError(GrpcStatus.DEADLINE_EXCEEDED, `no answer from the agent within ${deadlineMs} ms`),
        );
      }, deadlineMs);
      const chunks: Buffer[] = [];
      let size = 0;
      let status: number | undefined;
      let message = '';
      let statusDetails: Uint8Array | undefined;
      const readStatus = (headers: http2.IncomingHttpHeaders) => {
        const value = headers['grpc-status'];
        if (value === undefined) return;
        status = Number(value);
        message = decodeMessage(String(headers['grpc-message'] ?? ''));
        const details = headers['grpc-status-details-bin'];
        // Binary metadata is base64, padded or not (PROTOCOL-HTTP2.md); Buffer reads both.
        if (typeof details === 'string') statusDetails = Buffer.from(details, 'base64');
      };
      stream.on('response', (headers) => {
        const httpStatus = headers[':status'];
        if (httpStatus !== 200) {
          stream.close(http2.constants.NGHTTP2_CANCEL);
          reject(
            new CallError(
              GrpcStatus.UNAVAILABLE,
              `the agent's address answered HTTP ${httpStatus}: not a gRPC server`,
            ),
          );
        }
        readStatus(headers);
      });
      stream.on('trailers', readStatus);
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          stream.close(http2.constants.NGHTTP2_CANCEL);
          reject(
            new CallError(
              GrpcStatus.RESOURCE_EXHAUSTED,
              `the agent's answer is over ${MAX_RESPONSE_BYTES} bytes`,
            ),
          );
        } else chunks.push(chunk);
      });
      stream.on('error', (err) => {
        clearTimeout(timer);
        reject(unavailable(this.failure ?? err));
      });
      stream.on('close', () => {
        clearTimeout(timer);
        if (status === undefined)
          return reject(unavailable(this.failure ?? new Error('the stream ended without a status')));
        if (status !== GrpcStatus.OK) return reject(new CallError(status, message, statusDetails));
        const body = Buffer.concat(chunks);
        if (body.length < 5 || body[0] !== 0)
          return reject(
            new CallError(GrpcStatus.UNAVAILABLE, 'the agent sent no message, or a compressed one'),
          );
        resolve(body.subarray(5, 5 + body.readUInt32BE(1)));
      });
      const frame = Buffer.alloc(5 + request.length);
      frame.writeUInt32BE(request.length, 1);
      frame.set(request, 5);
      stream.end(frame);
    });
  }

  close(): void {
    this.session.close();
  }
}

function unavailable(err: Error): CallError {
  return new CallError(GrpcStatus.UNAVAILABLE, err.message);
}

/** grpc-message is percent-encoded (PROTOCOL-HTTP2.md). */
function decodeMessage(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
