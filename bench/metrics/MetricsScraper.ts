/**
 * A Prometheus stand-in: `GET /metrics` over one kept-alive HTTP connection (as Prometheus keeps one
 * per target), each scrape timed from the request to the body's last byte. It can scrape once, or
 * every `intervalMs` in the background (a scrape is skipped while the one before is still running,
 * as Prometheus does not overlap a target's scrapes).
 */
import http from 'node:http';

/** One scrape: its time in ms, the body's size in bytes, and the body. */
export interface Scrape {
  ms: number;
  bytes: number;
  text: string;
}

/** Each scrape must answer within this: a stuck agent fails the run, it does not hang it. */
const SCRAPE_TIMEOUT_MS = 10_000;

export class MetricsScraper {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  constructor(private readonly url: string) {}

  /** One scrape; rejects on a status other than 200. */
  scrape(): Promise<Scrape> {
    return new Promise((resolve, reject) => {
      const start = process.hrtime.bigint();
      const request = http.get(this.url, { agent: this.agent, timeout: SCRAPE_TIMEOUT_MS }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const ms = Number(process.hrtime.bigint() - start) / 1e6;
          const body = Buffer.concat(chunks);
          if (response.statusCode !== 200)
            return reject(new Error(`GET ${this.url}: ${response.statusCode} ${body.toString().trim()}`));
          resolve({ ms, bytes: body.length, text: body.toString('utf8') });
        });
      });
      request.on('timeout', () => request.destroy(new Error(`GET ${this.url}: no answer in time`)));
      request.on('error', reject);
    });
  }

  /**
   * Scrapes every `intervalMs` until the returned stop() is called; stop() resolves the times of the
   * scrapes made (waiting for one in flight), or rejects with the first failure.
   */
  scrapeEvery(intervalMs: number): () => Promise<number[]> {
    const times: number[] = [];
    let failure: Error | undefined;
    let inFlight: Promise<void> | undefined;
    const timer = setInterval(() => {
      if (inFlight || failure) return;
      inFlight = this.scrape()
        .then((s) => void times.push(s.ms))
        .catch((err: Error) => void (failure ??= err))
        .finally(() => (inFlight = undefined));
    }, intervalMs);
    return async () => {
      clearInterval(timer);
      await inFlight;
      if (failure) throw failure;
      return times;
    };
  }

  /** Closes the kept-alive connection. */
  close(): void {
    this.agent.destroy();
  }
}
