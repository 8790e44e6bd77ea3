/**
 * Apply on the wire, for the agent's tests: specs built from short literals, a raw nice-grpc client
 * (so the tests see exactly what the agent sends, trailers included), and the field violations of the
 * richer error model decoded from `grpc-status-details-bin`.
 */
import { createChannel, createClient, type Client, type Metadata } from 'nice-grpc';
import {
  errorInfoFromTrailer,
  fieldViolationsFromTrailer,
  type ErrorInfo,
  type FieldViolation,
} from '../../client/src/statusDetails';
import { AgentServiceDefinition } from '../../proto/gen/mvnet/v1/agent_service';
import { PlanAction, ResourceKind, type PlanStep, type Spec } from '../../proto/gen/mvnet/v1/apply';
import { Endpoint } from '../../proto/gen/mvnet/v1/endpoint';
import { Network } from '../../proto/gen/mvnet/v1/network';

export type RawAgent = Client<typeof AgentServiceDefinition> & { close(): void };

export function rawAgent(address: string): RawAgent {
  const channel = createChannel(address);
  return Object.assign(createClient(AgentServiceDefinition, channel), { close: () => channel.close() });
}

type NetworkLiteral = Parameters<typeof Network.fromPartial>[0];
type EndpointLiteral = Parameters<typeof Endpoint.fromPartial>[0];

export function spec(networks: NetworkLiteral[], endpoints: EndpointLiteral[] = []): Spec {
  return {
    networks: networks.map((n) => Network.fromPartial(n)),
    endpoints: endpoints.map((e) => Endpoint.fromPartial(e)),
  };
}

/** `CREATE network n1`, `REPLACE endpoint n1/c1`: a plan step in a few words. */
export function describeStep(step: PlanStep): string {
  const action = PlanAction[step.action].replace('PLAN_ACTION_', '');
  return step.kind === ResourceKind.RESOURCE_KIND_NETWORK
    ? `${action} network ${step.name}`
    : `${action} endpoint ${step.network}/${step.name}`;
}

/** Runs `call`, expecting it to fail; returns its error, and the field violations and ErrorInfo its trailer carried. */
export async function refusal(
  call: (options: { onTrailer: (t: Metadata) => void }) => Promise<unknown>,
): Promise<{
  code: number;
  message: string;
  violations: FieldViolation[];
  errorInfo: ErrorInfo | undefined;
}> {
  let trailer: Metadata | undefined;
  try {
    await call({ onTrailer: (t) => (trailer = t) });
  } catch (err) {
    const { code, details } = err as { code: number; details: string };
    return {
      code,
      message: details,
      violations: fieldViolationsFromTrailer(trailer),
      errorInfo: errorInfoFromTrailer(trailer),
    };
  }
  throw new Error('the call succeeded; a refusal was expected');
}
