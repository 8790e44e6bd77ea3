import type { Endpoint } from '../../proto/gen/mvnet/v1/endpoint';
import type { Network } from '../../proto/gen/mvnet/v1/network';

/** An endpoint spec as the SDK takes it: network and netns, the rest optional (name defaults to the netns). */
export type EndpointSpec = Partial<Omit<Endpoint, 'status'>> & { network: string; netns: string };

/** A network spec as the SDK takes it: any subset of Network's fields (the rest default). */
export type NetworkSpec = Partial<Omit<Network, 'status'>> & { name: string };
