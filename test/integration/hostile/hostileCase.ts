import { Status } from 'nice-grpc';
import type { AgentClient, EndpointSpec, NetworkSpec } from '../../../client/src';
import type { HostileHost } from './hostileHost';

/** One hostile request: what it sends, the code it must get, and what the message must name. */
export interface HostileCase {
  /** What the case sends, for the test's title. */
  title: string;
  call(h: HostileHost): Promise<unknown>;
  code: Status;
  /** The field (for INVALID_ARGUMENT) or what is wrong, as the message must name it. */
  names: RegExp;
}

type Subnet = NonNullable<NetworkSpec['subnets']>[number];

/** A valid network of its own (no overlap with BASE), for a case to spoil one field of. */
export function network(overrides: Partial<NetworkSpec> = {}): NetworkSpec {
  return {
    name: 'n1',
    parent: 'eth0',
    subnets: [subnet()],
    ...overrides,
  };
}

export function subnet(overrides: Partial<Subnet> = {}): Subnet {
  return { cidr: '10.30.0.0/24', gateway: '10.30.0.1', ipRange: '', auxAddresses: {}, ...overrides };
}

/** Cases that create a network with one field spoiled. */
export function networkCases(
  code: Status,
  names: RegExp,
  variants: [string, Partial<NetworkSpec>][],
): HostileCase[] {
  return variants.map(([title, overrides]) => ({
    title: `CreateNetwork ${title}`,
    call: (h) => h.client.createNetwork(network(overrides)),
    code,
    names,
  }));
}

/** Cases that create an endpoint on BASE with one field spoiled (in c2 unless the case names a netns). */
export function endpointCases(
  code: Status,
  names: RegExp,
  variants: [string, Partial<EndpointSpec> | ((h: HostileHost) => Partial<EndpointSpec>)][],
): HostileCase[] {
  return variants.map(([title, overrides]) => ({
    title: `CreateEndpoint ${title}`,
    call: (h) => {
      const spoiled = typeof overrides === 'function' ? overrides(h) : overrides;
      return h.client.createEndpoint({ network: 'base', name: 'x1', netns: h.c2, ...spoiled });
    },
    code,
    names,
  }));
}

/** A case that calls something else on the client. */
export function callCase(
  title: string,
  call: (client: AgentClient, h: HostileHost) => Promise<unknown>,
  code: Status,
  names: RegExp,
): HostileCase {
  return { title, call: (h) => call(h.client, h), code, names };
}

export { Status };
