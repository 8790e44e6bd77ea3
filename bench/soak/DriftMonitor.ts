/**
 * The soak's own Watch stream, in its own process, from the revision it starts at: it notes the DRIFT
 * events of endpoints, so that a cycle can wait until the agent has seen and repaired the links it
 * deleted behind its back.
 */
import { EventType } from '../../proto/gen/mvnet/v1/watch';
import type { AgentClient } from '../memory/agentClient';

export class DriftMonitor {
  private readonly abort = new AbortController();
  private readonly seen = new Map<string, string>();
  private waiter?: { names: string[]; resolve: () => void };
  private failure?: Error;
  /** DRIFT events seen, all told. */
  drifts = 0;

  constructor(agent: AgentClient, sinceRevision: number) {
    void this.follow(agent, sinceRevision);
  }

  /**
   * Resolves once each endpoint of `names` has had a DRIFT event since the last call returned;
   * rejects after `timeoutMs`.
   */
  async waitFor(names: string[], timeoutMs: number): Promise<void> {
    if (this.failure) throw this.failure;
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(() => {
          const missing = names.filter((n) => !this.seen.has(n));
          reject(new Error(`no DRIFT event within ${timeoutMs} ms for ${missing.join(', ')}`));
        }, timeoutMs);
        this.waiter = { names, resolve };
        this.check();
      });
    } finally {
      clearTimeout(timer);
      this.waiter = undefined;
      // Whatever else was seen belongs to no later wait: a cycle deletes its links after this returns.
      this.seen.clear();
    }
  }

  close(): void {
    this.abort.abort();
  }

  private check(): void {
    if (this.waiter?.names.every((n) => this.seen.has(n))) this.waiter.resolve();
  }

  private async follow(agent: AgentClient, sinceRevision: number): Promise<void> {
    try {
      const stream = agent.client.watch({ sinceRevision }, { signal: this.abort.signal });
      for await (const event of stream) {
        if (event.type !== EventType.EVENT_TYPE_DRIFT || event.object?.$case !== 'endpoint') continue;
        this.drifts++;
        this.seen.set(event.object.value.name, event.message);
        this.check();
      }
      this.failure = new Error('the agent ended the soak’s own watch stream');
    } catch (err) {
      if (!this.abort.signal.aborted)
        this.failure = new Error(
          `the soak’s own watch stream failed: ${err instanceof Error ? err.message : String(err)}`,
        );
    }
  }
}
