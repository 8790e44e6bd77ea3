import { createServer, ServerError, Status, type CallContext, type Server } from 'nice-grpc';
import {
  AgentServiceDefinition,
  type AgentServiceImplementation,
  type ApplyRequest,
} from '../../proto/gen/mvnet/v1/agent_service';
import {
  PlanAction,
  ResourceKind,
  type PendingApply,
  type PlanStep,
  type Spec,
} from '../../proto/gen/mvnet/v1/apply';
import { Endpoint, EndpointState } from '../../proto/gen/mvnet/v1/endpoint';
import { BadRequest } from '../../proto/gen/google/rpc/error_details';
import { Status as RpcStatus } from '../../proto/gen/google/rpc/status';
import { Network, NetworkState } from '../../proto/gen/mvnet/v1/network';

/** A refusal the fake answers the next Apply with: a code, a message, google.rpc.BadRequest violations. */
export interface Refusal {
  code: Status;
  message: string;
  violations: { field: string; description: string }[];
}

/**
 * An in-process stand-in for the Apply side of mvnet-agent, for the client's tests (the real one
 * lives in agent/src). It keeps a host of networks and endpoints and a revision, and plans an Apply
 * as the issue describes it, simply: by name, CREATE / UPDATE (labels only) / REPLACE / DELETE /
 * KEEP, comparing only the fields a spec sets (the agent picks the rest: MACs, interfaces). It keeps
 * one pending Apply (a retry of its spec gets its id, anything else FAILED_PRECONDITION), refuses a
 * stale expected revision (ABORTED), and records every request.
 */
export class FakeApplyAgent {
  address = '';
  networks: Network[] = [];
  endpoints: Endpoint[] = [];
  revision = 0;
  pending: { apply: PendingApply; previous: Spec } | undefined;
  readonly requests: ApplyRequest[] = [];
  /** Answers the next Apply, then clears. */
  refuseNext: Refusal | undefined;
  private server: Server | undefined;
  private applies = 0;

  async start(): Promise<this> {
    this.server = createServer();
    this.server.add(AgentServiceDefinition, this.implementation());
    const port = await this.server.listen('127.0.0.1:0');
    this.address = `127.0.0.1:${port}`;
    return this;
  }

  async close(): Promise<void> {
    await this.server?.shutdown();
  }

  private implementation(): AgentServiceImplementation {
    const unimplemented = async () => {
      throw new ServerError(Status.UNIMPLEMENTED, 'not in the fake');
    };
    return {
      getHost: async () => ({
        host: { hostname: 'fake', version: 'test', capabilities: { macvlan: true }, interfaces: [] },
        revision: this.revision,
        pendingApply: this.pending?.apply,
      }),
      listNetworks: async () => ({ networks: this.networks, revision: this.revision }),
      listEndpoints: async () => ({ endpoints: this.endpoints, revision: this.revision }),
      apply: (request, context) => this.apply(request, context),
      confirmApply: async ({ applyId }) => {
        this.takePending(applyId);
        return { revision: this.revision };
      },
      cancelApply: async ({ applyId }) => {
        this.commit(this.takePending(applyId).previous);
        return { revision: this.revision };
      },
      createNetwork: unimplemented,
      getNetwork: unimplemented,
      deleteNetwork: unimplemented,
      createEndpoint: unimplemented,
      getEndpoint: unimplemented,
      deleteEndpoint: unimplemented,
      // A stream that fails at once: the generator ends before its first yield.
      watch: async function* () {
        await unimplemented();
        yield* [];
      },
    };
  }

  private async apply(request: ApplyRequest, context: CallContext) {
    this.requests.push(request);
    const refusal = this.refuseNext;
    this.refuseNext = undefined;
    if (refusal) {
      const badRequest = BadRequest.encode({ fieldViolations: refusal.violations }).finish();
      const details = [
        { typeUrl: 'type.googleapis.com/google.rpc.BadRequest', value: Buffer.from(badRequest) },
      ];
      const status = RpcStatus.encode({ code: refusal.code, message: refusal.message, details }).finish();
      context.trailer.set('grpc-status-details-bin', status);
      throw new ServerError(refusal.code, refusal.message);
    }
    const { expectedRevision, spec = { networks: [], endpoints: [] } } = request;
    if (expectedRevision !== 0 && expectedRevision !== this.revision)
      throw new ServerError(
        Status.ABORTED,
        `expected revision ${expectedRevision}, the host is at ${this.revision}`,
      );
    const plan = [
      ...planKind(ResourceKind.RESOURCE_KIND_NETWORK, spec.networks, this.networks, Network.toJSON),
      ...planKind(
        ResourceKind.RESOURCE_KIND_ENDPOINT,
        spec.endpoints,
        this.endpoints.filter(inScope),
        Endpoint.toJSON,
      ),
    ];
    const unchanged = plan.every((step) => step.action === PlanAction.PLAN_ACTION_KEEP);
    // While an apply awaits confirmation, only a retry of its spec is answered: with its id.
    if (this.pending && !(unchanged && request.confirmWithin))
      throw new ServerError(Status.FAILED_PRECONDITION, `${this.pending.apply.applyId} awaits confirmation`);
    if (request.dryRun || unchanged)
      return { plan, revision: this.revision, applyId: this.pending?.apply.applyId };
    const previous = { networks: this.networks, endpoints: this.endpoints.filter(inScope) };
    this.commit(spec);
    if (request.confirmWithin === undefined) return { plan, revision: this.revision };
    const applyId = `apply-${++this.applies}`;
    const deadline = { seconds: Math.floor(Date.now() / 1000) + request.confirmWithin.seconds, nanos: 0 };
    this.pending = { apply: { applyId, deadline, revision: this.revision }, previous };
    return { plan, revision: this.revision, applyId };
  }

  /** The host becomes `spec` (the agent's choices filled in), at the next revision. */
  private commit(spec: Spec): void {
    this.revision++;
    const revision = this.revision;
    this.networks = spec.networks.map((n) => ({
      ...n,
      status: Network.fromPartial({ status: { state: NetworkState.NETWORK_STATE_READY, revision } }).status,
    }));
    const outOfScope = this.endpoints.filter((e) => !inScope(e));
    this.endpoints = [
      ...outOfScope,
      ...spec.endpoints.map((e, i) => ({
        ...e,
        ifname: e.ifname || 'eth0',
        macAddress: e.macAddress || `02:00:00:00:00:${(i + 1).toString(16).padStart(2, '0')}`,
        status: { state: EndpointState.ENDPOINT_STATE_READY, message: '', revision },
      })),
    ];
  }

  private takePending(applyId: string): { apply: PendingApply; previous: Spec } {
    const pending = this.pending;
    if (pending?.apply.applyId !== applyId)
      throw new ServerError(Status.NOT_FOUND, `no pending apply ${applyId}`);
    this.pending = undefined;
    return pending;
  }
}

/** Outside Apply's scope: labelled mvnet.io/managed-by with a value other than apply. */
function inScope(endpoint: Endpoint): boolean {
  return (endpoint.labels['mvnet.io/managed-by'] ?? 'apply') === 'apply';
}

/** The steps for one kind: each desired object against the actual one of its name, then deletions. */
function planKind<T extends { name: string; network?: string }>(
  kind: ResourceKind,
  desired: T[],
  actual: T[],
  toJson: (t: T) => unknown,
): PlanStep[] {
  const key = (o: T) => `${o.network ?? ''}/${o.name}`;
  const steps = desired.map((want): PlanStep => {
    const have = actual.find((a) => key(a) === key(want));
    const step = { kind, name: want.name, network: want.network ?? '', reason: '' };
    if (!have) return { ...step, action: PlanAction.PLAN_ACTION_CREATE };
    const set = toJson(want) as Record<string, unknown>;
    const had = toJson(have) as Record<string, unknown>;
    const differ = Object.keys(set).filter(
      (f) => f !== 'status' && JSON.stringify(set[f]) !== JSON.stringify(had[f]),
    );
    if (differ.length === 0) return { ...step, action: PlanAction.PLAN_ACTION_KEEP };
    const reason = differ.map((f) => `${f}: ${shown(had[f])} → ${shown(set[f])}`).join(', ');
    const inPlace = differ.every((f) => f === 'labels');
    return {
      ...step,
      reason,
      action: inPlace ? PlanAction.PLAN_ACTION_UPDATE : PlanAction.PLAN_ACTION_REPLACE,
    };
  });
  const deleted = actual
    .filter((a) => !desired.some((d) => key(d) === key(a)))
    .map((a) => ({
      kind,
      name: a.name,
      network: a.network ?? '',
      reason: '',
      action: PlanAction.PLAN_ACTION_DELETE,
    }));
  return [...deleted, ...steps];
}

/** A field's JSON value in a reason: text as it is, anything else as JSON, `-` when unset. */
function shown(value: unknown): string {
  if (value === undefined) return '-';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
