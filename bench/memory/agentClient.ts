import { createClient, type Client } from 'nice-grpc';
import { AgentServiceDefinition } from '../../proto/gen/mvnet/v1/agent_service';
import { openOwnChannel } from '../watch/openOwnChannel';

/** A raw nice-grpc client of an agent, on a connection of its own (no SDK in between). */
export interface AgentClient {
  client: Client<typeof AgentServiceDefinition>;
  close(): void;
}

export function openAgentClient(address: string): AgentClient {
  const channel = openOwnChannel(address);
  return { client: createClient(AgentServiceDefinition, channel), close: () => channel.close() };
}
