import { setTimeout as sleep } from 'node:timers/promises';
import type { FleetHost, RolloutPolicy } from '../../client/src/fleet/fleetTypes';
import { readTreeCpuMs } from '../attach/processCpu';
import { fleetSpec, type FleetNetworkShape } from './fleetLayout';
import { TimedFleet } from './TimedFleet';
import { timeRollout, type TimedRollout } from './timeRollout';

/** Which way a round's rollout goes: the network and endpoints out, or the empty file back. */
export type RolloutKind = 'apply' | 'remove';

/** One counted rollout: its timing, and the CPU the machine's processes of the benchmark spent on it. */
export interface RolloutSample extends TimedRollout {
  kind: RolloutKind;
  /** CPU time of this process and all its descendants (the agents, their `ip`s, the simulated hosts), in ms. */
  cpuMs: number;
  /** CPU time of this process alone (the client), in ms. */
  clientCpuMs: number;
}

export interface RoundsOptions {
  hosts: FleetHost[];
  network: FleetNetworkShape;
  containerOf: (index: number) => string;
  rollout: RolloutPolicy;
  /** Per-call deadline of the fleet's clients, and how long reading a host may take (ms); undefined: the SDK's defaults. */
  hostDeadlineMs?: number;
  warmup: number;
  rounds: number;
  /** Pause after each rollout (ms): the agents' and the kernel's aftermath stays out of the next. */
  settleMs: number;
  /** Checks the hosts after each rollout (their kernels, say); throws when they are not as the file says. */
  verify?: (kind: RolloutKind) => Promise<void>;
  say: (text: string) => void;
  label: string;
}

/**
 * Rounds of two rollouts through the SDK's Fleet: the file with the network and one endpoint per host,
 * then the empty file, which removes them. Each rollout is a new Fleet (new connections, as a new
 * `mvnet fleet apply` would have), timed from `fleet.apply()` to the last host's final state. The
 * warm-up rounds are not kept. Every host must end Available with its change made.
 */
export async function runRounds(o: RoundsOptions): Promise<RolloutSample[]> {
  const samples: RolloutSample[] = [];
  for (let round = 0; round < o.warmup + o.rounds; round++) {
    const counted = round >= o.warmup;
    for (const kind of ['apply', 'remove'] as const) {
      const spec = fleetSpec({ ...o, empty: kind === 'remove' });
      const fleet = new TimedFleet(
        spec,
        o.hostDeadlineMs === undefined
          ? {}
          : { client: { timeoutMs: o.hostDeadlineMs }, hostDeadlineMs: o.hostDeadlineMs },
      );
      const cpuBefore = readTreeCpuMs();
      const clientBefore = process.cpuUsage();
      let timed: TimedRollout;
      try {
        timed = await timeRollout(fleet);
      } finally {
        fleet.close();
      }
      const client = process.cpuUsage(clientBefore);
      const clientCpuMs = (client.user + client.system) / 1000;
      const cpuMs = readTreeCpuMs() - cpuBefore;
      if (timed.changed !== o.hosts.length)
        throw new Error(`${kind}: ${timed.changed} of ${o.hosts.length} hosts changed, expected all`);
      await o.verify?.(kind);
      if (counted) samples.push({ ...timed, kind, cpuMs, clientCpuMs });
      o.say(
        `  ${o.label} ${counted ? `round ${round - o.warmup + 1}` : 'warm-up'} ${kind}: ${(timed.ms / 1000).toFixed(2)} s` +
          ` (CPU: ${(cpuMs / 1000).toFixed(2)} s, the client's ${(clientCpuMs / 1000).toFixed(2)} s)`,
      );
      await sleep(o.settleMs);
    }
  }
  return samples;
}
