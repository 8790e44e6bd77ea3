import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { ListenAddress } from '../listenAddress';
import type { AgentMetrics } from './AgentMetrics';

/** Scrapers at once; more connections are dropped. Prometheus keeps one per target. */
const MAX_CONNECTIONS = 16;
/** A request's headers and the whole request must arrive within this: a slow client holds nothing long. */
const REQUEST_TIMEOUT_MS = 10_000;

/** The metrics listener of --metrics-listen. */
export interface ServingMetrics {
  /** `host:port` as bound (port 0 gives a free one). */
  address: string;
  close(): Promise<void>;
}

/**
 * Serves the Prometheus text format on `GET /metrics` over plain HTTP (what Prometheus scrapes), and
 * nothing else: other paths are 404, other methods 405, a request body is not read. Bounded like the
 * gRPC side: few connections, short timeouts, small headers, so that scrapers (or anyone who reaches
 * the port) cannot stall the agent. Read-only; who may reach it is decided by the address
 * (loopback unless --metrics-insecure), not by credentials.
 */
export async function serveMetrics(
  metrics: AgentMetrics,
  listen: Extract<ListenAddress, { kind: 'tcp' }>,
  logger: Logger,
): Promise<ServingMetrics> {
  const server = http.createServer(
    { maxHeaderSize: 8192, requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS },
    (request, response) => {
      const path = (request.url ?? '').split('?')[0];
      if (path !== '/metrics') return reply(response, 404, 'not found: the metrics are at /metrics\n');
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.setHeader('Allow', 'GET, HEAD');
        return reply(response, 405, `method ${request.method} not allowed: GET /metrics\n`);
      }
      metrics.render().then(
        (text) => {
          response.writeHead(200, { 'Content-Type': metrics.registry.contentType });
          response.end(request.method === 'HEAD' ? undefined : text);
        },
        (err: unknown) => {
          logger.error({ err }, 'metrics: could not collect');
          reply(response, 500, 'could not collect the metrics (see the agent log)\n');
        },
      );
    },
  );
  server.maxConnections = MAX_CONNECTIONS;
  server.maxHeadersCount = 64;
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: listen.host, port: listen.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const address =
    bound.family === 'IPv6' ? `[${bound.address}]:${bound.port}` : `${bound.address}:${bound.port}`;
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function reply(response: http.ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(text);
}
