/**
 * The benchmark's side of a watchers process (watchersProcess.ts): forks it, sends it commands and
 * waits for its answers, each within a deadline (a benchmark always ends by itself).
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import {
  watchersArgv,
  type WatchersArgs,
  type WatchersCommand,
  type WatchersReport,
} from './watchersProtocol';

type Reply<T extends WatchersReport['type']> = Extract<WatchersReport, { type: T }>;

export class Watchers {
  /** Streams the agent ended on its own, by its message (RESOURCE_EXHAUSTED for a stalled one, say). */
  readonly ended = new Map<string, number>();
  private readonly waiting: { type: string; resolve: (r: WatchersReport) => void }[] = [];
  private failure?: Error;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: WatchersReport) => this.receive(m));
    child.once('exit', (code, signal) =>
      this.fail(new Error(`the watchers process exited (${code ?? signal})`)),
    );
  }

  static start(args: WatchersArgs): Watchers {
    const script = path.join(__dirname, 'watchersProcess.js');
    return new Watchers(fork(script, watchersArgv(args), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Opens `count` more streams from `sinceRevision` (stalled: see WatchersCommand); resolves once all are live. */
  open(count: number, sinceRevision: number, timeoutMs: number, stall = false): Promise<Reply<'opened'>> {
    return this.ask({ type: 'open', count, sinceRevision, stall }, 'opened', timeoutMs);
  }

  /** Closes the `count` oldest streams, of the stalled ones if `stalled`, else of the others. */
  close(count: number, timeoutMs: number, stalled = false): Promise<Reply<'closed'>> {
    return this.ask({ type: 'close', count, stalled }, 'closed', timeoutMs);
  }

  /**
   * Resolves once every open stream has seen `network` added; call it before making the network,
   * then await it.
   */
  expect(network: string, timeoutMs: number): Promise<Reply<'saw'>> {
    return this.ask({ type: 'expect', network }, 'saw', timeoutMs);
  }

  /** Tells the process to stop and waits for its exit (killed after 5 s). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    if (this.child.connected) this.child.send({ type: 'stop' } satisfies WatchersCommand);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  private ask<T extends WatchersReport['type']>(
    command: WatchersCommand,
    type: T,
    timeoutMs: number,
  ): Promise<Reply<T>> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Reply<T>>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the watchers process did not answer ${command.type} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const waiter = {
        type,
        resolve: (r: WatchersReport) => {
          clearTimeout(timer);
          if (r.type === 'failed') reject(new Error(`watchers: ${r.message}`));
          else resolve(r as Reply<T>);
        },
      };
      this.waiting.push(waiter);
      this.child.send(command);
    });
  }

  private receive(m: WatchersReport): void {
    if (m.type === 'ended') {
      this.ended.set(m.message, m.count);
      return;
    }
    if (m.type === 'failed') return this.fail(new Error(`watchers: ${m.message}`));
    const at = this.waiting.findIndex((w) => w.type === m.type);
    if (at >= 0) this.waiting.splice(at, 1)[0].resolve(m);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.splice(0)) w.resolve({ type: 'failed', message: err.message });
  }
}
