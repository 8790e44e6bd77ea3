/**
 * The SDK's Fleet, unchanged, with every call it makes to an agent timed: its clients (`client`, and
 * the new connection of `connect`) are the SDK's AgentClient behind a proxy that notes each call's
 * start and end. What a rollout spends where is read from those spans (rolloutPhases.ts).
 */
import { performance } from 'node:perf_hooks';
import { AgentClient } from '../../client/src/AgentClient';
import { Fleet, type FleetOptions } from '../../client/src/fleet/Fleet';
import type { FleetHost, FleetSpec } from '../../client/src/fleet/fleetTypes';

/** What a call to an agent was for, told from the method, its connection and the host's progress. */
export type CallPhase =
  'plan: read' | 'plan: dry run' | 'read again' | 'Apply' | 'answers again' | 'confirmApply';

export const CALL_PHASES: readonly CallPhase[] = [
  'plan: read',
  'plan: dry run',
  'read again',
  'Apply',
  'answers again',
  'confirmApply',
];

/** One call, in ms on the performance clock. */
export interface CallSpan {
  host: string;
  phase: CallPhase;
  startMs: number;
  endMs: number;
  ok: boolean;
}

const TIMED = new Set(['getHost', 'listNetworks', 'listEndpoints', 'apply', 'confirmApply']);

export class TimedFleet extends Fleet {
  readonly spans: CallSpan[] = [];
  private readonly timed = new Map<string, AgentClient>();
  /** Hosts whose dry run was sent: their reads after it are the rollout's. */
  private readonly planned = new Set<string>();

  constructor(spec: FleetSpec, options: FleetOptions = {}) {
    super(spec, options);
  }

  /** Set while Fleet.client makes its client (through connect): that one is timed as the host's client. */
  private makingClient = false;

  override client(host: FleetHost): AgentClient {
    let client = this.timed.get(host.name);
    if (!client) {
      this.makingClient = true;
      try {
        client = this.time(super.client(host), host.name, false);
      } finally {
        this.makingClient = false;
      }
      this.timed.set(host.name, client);
    }
    return client;
  }

  override connect(host: FleetHost): AgentClient {
    const client = super.connect(host);
    return this.makingClient ? client : this.time(client, host.name, true);
  }

  private phaseOf(host: string, method: string, args: unknown[], fresh: boolean): CallPhase {
    if (method === 'confirmApply') return 'confirmApply';
    if (fresh) return 'answers again';
    if (method === 'apply') {
      const dryRun = (args[1] as { dryRun?: boolean } | undefined)?.dryRun === true;
      if (dryRun) this.planned.add(host);
      return dryRun ? 'plan: dry run' : 'Apply';
    }
    return this.planned.has(host) ? 'read again' : 'plan: read';
  }

  private time(client: AgentClient, host: string, fresh: boolean): AgentClient {
    return new Proxy(client, {
      get: (target, key, receiver) => {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof key !== 'string' || !TIMED.has(key) || typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          const phase = this.phaseOf(host, key, args, fresh);
          const startMs = performance.now();
          let ok = false;
          try {
            const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(
              target,
              args,
            );
            ok = true;
            return result;
          } finally {
            this.spans.push({ host, phase, startMs, endMs: performance.now(), ok });
          }
        };
      },
    });
  }
}
