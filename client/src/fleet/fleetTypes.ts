/**
 * The fleet as the SDK's Fleet works with it: the fleet file read and checked (FleetSpec), what it
 * reads of each host (HostState), each host's share of the file (HostShare), and the plan and
 * progress it reports.
 */
import type { Endpoint } from '../../../proto/gen/mvnet/v1/endpoint';
import type { Network } from '../../../proto/gen/mvnet/v1/network';
import type { PlanStep } from '../../../proto/gen/mvnet/v1/apply';
import type { FleetEndpoint, FleetHost, FleetNetwork } from '../../../proto/gen/mvnet/fleet/v1/fleet';
import type { ApplySpec } from '../applyRequest';

export type { FleetEndpoint, FleetHost, FleetNetwork };

/** How a rollout goes, defaults applied (see proto mvnet.fleet.v1.Rollout). */
export interface RolloutPolicy {
  /** Hosts changed first, alone. */
  canary: number;
  /** Hosts changed at once after the canary: a count, or a percentage of the hosts (rounded up, at least 1). */
  maxUnavailable: { count: number } | { percent: number };
  confirmWithinMs: number;
  probeGateways: boolean;
  /** Failed hosts tolerated; one more stops the rollout. */
  maxFailures: number;
}

/** Client TLS from the file, paths made absolute (relative to the file). */
export interface FleetTlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
}

/** A fleet file read and checked on its own (no host asked yet). */
export interface FleetSpec {
  hosts: FleetHost[];
  tls?: FleetTlsFiles;
  networks: FleetNetwork[];
  endpoints: FleetEndpoint[];
  rollout: RolloutPolicy;
}

/** What the fleet reads of one host before planning: its state, or why it could not. */
export type HostState =
  | {
      reachable: true;
      revision: number;
      /** The host's interfaces by name (GetHost): a network's parent must be one of them. */
      links: string[];
      networks: Network[];
      endpoints: Endpoint[];
      /** An Apply awaiting confirmation on the host (its own, or another orchestrator's). */
      pendingApplyId?: string;
    }
  | { reachable: false; error: string };

/** One host's share of the fleet file: the spec its Apply gets. */
export interface HostShare {
  host: string;
  spec: ApplySpec;
}

/** A refusal of the plan, naming the hosts (and what) it concerns. */
export interface FleetRefusal {
  hosts: string[];
  message: string;
}

/** One host in a plan. */
export interface HostPlan {
  name: string;
  address: string;
  /** The host's revision when it was read: a saved plan applies only at that revision. */
  revision: number;
  reachable: boolean;
  spec: ApplySpec;
  /** The agent's dry-run plan of `spec`. */
  steps: PlanStep[];
  /** Steps other than KEEP. */
  changes: number;
  /** Why the host could not be planned (unreachable, its agent refused the spec). */
  error?: string;
}

/** A fleet plan: each host's dry run, and what the fleet refuses across hosts. */
export interface FleetPlan {
  /** True when nothing is refused and every host could be planned. */
  ok: boolean;
  refusals: FleetRefusal[];
  hosts: HostPlan[];
}

/** Where a host stands in a rollout (kubernetes-nmstate's states, and mvnet's own). */
export type HostRolloutState =
  'Pending' | 'Progressing' | 'Available' | 'Failing' | 'Aborted' | 'RolledBack' | 'Changed';

/** A step of a rollout, for one host. */
export interface FleetProgress {
  host: string;
  state: HostRolloutState;
  /** The host's revision, when known. */
  revision?: number;
  /** Objects its Apply changes (steps other than KEEP). */
  changes?: number;
  message: string;
  /** The wave the host is in: 0 for the canary. */
  wave: number;
}
