/**
 * Declarative Apply as the domain sees it: the desired state of a whole host, the plan that makes the
 * host match it, and the transition the application carries out (and undoes, on a failure or a
 * rollback).
 */
import type { EndpointRecord, EndpointSpec, NetworkRecord, NetworkSpec } from '../model';
import type { EndpointInput } from '../normalizeEndpoint';
import type { NetworkInput } from '../normalizeNetwork';
import type { LinkOp } from '../linkOps';

/** An Apply's spec as a caller sends it: every network and endpoint the host should have. */
export interface ApplySpecInput {
  networks: NetworkInput[];
  endpoints: EndpointInput[];
}

/** What Apply does to one object. */
export type PlanAction = 'CREATE' | 'UPDATE' | 'REPLACE' | 'DELETE' | 'KEEP';

/** One object of the plan: what happens to it, and why, for a person. */
export interface PlanStep {
  action: PlanAction;
  kind: 'network' | 'endpoint';
  name: string;
  /** The endpoint's network; the network's own name for a network. */
  network: string;
  reason: string;
}

/** A network the transition makes: its record as it will be committed, and the kernel ops that make it. */
export interface NetworkCreation {
  record: NetworkRecord;
  ops: LinkOp[];
}

/** A network the transition removes (DELETE, or the old half of a REPLACE), with the ops that do it. */
export interface NetworkRemoval {
  record: NetworkRecord;
  ops: LinkOp[];
}

/** An endpoint the transition attaches. */
export interface EndpointAttach {
  spec: EndpointSpec;
  /** This attachment carries the container's default routes. */
  withDefaultRoute: boolean;
  /**
   * The old endpoint comes back (a rollback, an undo): it goes only into the namespace it was in, and
   * a namespace that is gone or another one now makes it LOST rather than failing.
   */
  restore: boolean;
}

/**
 * A transition of the host from its current state to a target: the plan, and what to carry out, in
 * this order: endpoints off, networks off, networks on, endpoints on (REPLACE is an off and an on).
 * UPDATE and KEEP touch no link.
 */
export interface Transition {
  plan: PlanStep[];
  detach: EndpointRecord[];
  removeNetworks: NetworkRemoval[];
  createNetworks: NetworkCreation[];
  attach: EndpointAttach[];
  /** Objects changed in place (labels...): their records as they will be committed. */
  updateNetworks: NetworkRecord[];
  updateEndpoints: EndpointRecord[];
  /** Endpoints DELETEd for good (not replaced), and networks likewise. */
  deletedEndpoints: EndpointRecord[];
  deletedNetworks: NetworkRecord[];
}

/** Whether a transition changes anything: a plan of KEEPs only does not. */
export function changesAnything(transition: Transition): boolean {
  return transition.plan.some((step) => step.action !== 'KEEP');
}

/** The desired state in normal form: checked networks, and endpoint requests ("" still means "pick one"). */
export interface DesiredState {
  networks: NetworkSpec[];
  endpoints: EndpointSpec[];
}
