/**
 * A real Prometheus server for the tests: Debian's /usr/bin/prometheus (test/ensure-deps.sh installs
 * it; its packaged service is never used), started with a temporary config that scrapes the given
 * targets every second and a temporary TSDB, listening on a free loopback port, in a process group of
 * its own that stop() kills whole. Its HTTP API is read with fetch.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { killProcessGroupsAndWait } from '../../tools/processGroup';
import { waitFor } from './waitFor';

export const PROMETHEUS_BINARY = '/usr/bin/prometheus';

/** How long Prometheus may take to be ready (replaying an empty TSDB takes well under a second). */
const READY_DEADLINE_MS = 30_000;

/** How much of its log is kept for error messages. */
const LOG_TAIL = 4096;

/** One series of an instant query's vector result. */
export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** What /api/v1/query answered: a success with its result, or Prometheus's error. */
export type PromQueryResult =
  | { status: 'success'; resultType: string; result: PromSample[] }
  | { status: 'error'; errorType: string; error: string };

export interface PrometheusServer {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** An instant query, now. */
  query(expr: string): Promise<PromQueryResult>;
  /** An instant query that must succeed with a vector; throws Prometheus's error otherwise. */
  vector(expr: string): Promise<PromSample[]>;
  /** The values of a label among the series that `match` selects (/api/v1/label/NAME/values). */
  labelValues(label: string, match: string): Promise<string[]>;
  /** The end of its log (stderr), for failure messages. */
  logTail(): string;
  /** Kills its process group, waits until it is gone, and removes its config and TSDB. */
  stop(): Promise<void>;
}

/** A port that was free on 127.0.0.1 a moment ago (the kernel's pick for port 0). */
export async function freeLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Starts Prometheus scraping `targets` (host:port, plain HTTP, path /metrics) every second under
 * job `job`, and resolves once /-/ready answers. On failure its group is killed and the error
 * carries its log.
 */
export async function startPrometheus(options: {
  targets: string[];
  job: string;
}): Promise<PrometheusServer> {
  if (!fs.existsSync(PROMETHEUS_BINARY))
    throw new Error(`${PROMETHEUS_BINARY} is missing: run test/ensure-deps.sh`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-prom-'));
  const config = path.join(dir, 'prometheus.yml');
  // JSON is YAML: Prometheus reads this as it is.
  const scrape = {
    job_name: options.job,
    scrape_interval: '1s',
    scrape_timeout: '1s',
    static_configs: [{ targets: options.targets }],
  };
  fs.writeFileSync(
    config,
    JSON.stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      scrape_configs: [scrape],
    }),
  );
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    PROMETHEUS_BINARY,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.once('error', () => undefined); // it did not start: pid is undefined, thrown below
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => (log = `${log}${chunk.toString('utf8')}`.slice(-LOG_TAIL)));
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = signal ? `killed by ${signal}` : `code ${code}`));
  const pid = child.pid;
  const stop = async () => {
    if (pid !== undefined) await killProcessGroupsAndWait(() => [pid]);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  if (pid === undefined) {
    await stop();
    throw new Error(`cannot start ${PROMETHEUS_BINARY}`);
  }

  const getJson = async (pathAndQuery: string): Promise<Record<string, unknown>> => {
    const response = await fetch(`${url}${pathAndQuery}`);
    return (await response.json()) as Record<string, unknown>;
  };
  const server: PrometheusServer = {
    url,
    async query(expr) {
      const body = await getJson(`/api/v1/query?query=${encodeURIComponent(expr)}`);
      if (body.status !== 'success')
        return { status: 'error', errorType: String(body.errorType), error: String(body.error) };
      const data = body.data as { resultType: string; result: PromSample[] };
      return { status: 'success', resultType: data.resultType, result: data.result };
    },
    async vector(expr) {
      const answer = await server.query(expr);
      if (answer.status !== 'success') throw new Error(`${expr}: ${answer.errorType}: ${answer.error}`);
      if (answer.resultType !== 'vector') throw new Error(`${expr}: a ${answer.resultType}, not a vector`);
      return answer.result;
    },
    async labelValues(label, match) {
      const body = await getJson(
        `/api/v1/label/${encodeURIComponent(label)}/values?match[]=${encodeURIComponent(match)}`,
      );
      if (body.status !== 'success') throw new Error(`label values of ${label}: ${String(body.error)}`);
      return body.data as string[];
    },
    logTail: () => log,
    stop,
  };

  try {
    await waitFor(
      `${PROMETHEUS_BINARY} to be ready on ${url}`,
      async () => {
        if (exited) throw new Error(`prometheus exited (${exited})`);
        return (await fetch(`${url}/-/ready`)).ok;
      },
      READY_DEADLINE_MS,
    );
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\nprometheus log: ${log}`);
  }
  return server;
}
