import type { EndpointRecord, EndpointState as DomainState } from '../domain/model';
import type { EndpointInput } from '../domain/normalizeEndpoint';
import { EndpointState, type Endpoint } from '../../../proto/gen/mvnet/v1/endpoint';

const STATE_ENUMS: Record<DomainState, EndpointState> = {
  ready: EndpointState.ENDPOINT_STATE_READY,
  lost: EndpointState.ENDPOINT_STATE_LOST,
  failed: EndpointState.ENDPOINT_STATE_FAILED,
};

/** A wire Endpoint (status ignored: output only) as the domain's input. */
export function endpointFromMessage(endpoint: Endpoint | undefined): EndpointInput {
  const e = endpoint ?? ({} as Partial<Endpoint>);
  return {
    name: e.name ?? '',
    network: e.network ?? '',
    netns: e.netns ?? '',
    ifname: e.ifname ?? '',
    ipv4Address: e.ipv4Address ?? '',
    ipv6Address: e.ipv6Address ?? '',
    macAddress: e.macAddress ?? '',
    labels: { ...e.labels },
  };
}

/** A domain endpoint as a wire Endpoint: its netns as the caller wrote it (the parsed ref stays inside). */
export function endpointToMessage(record: EndpointRecord): Endpoint {
  const { netnsRef: _parsed, ...spec } = record.spec;
  return {
    ...spec,
    labels: { ...spec.labels },
    status: {
      state: STATE_ENUMS[record.status.state],
      message: record.status.message,
      revision: record.status.revision,
    },
  };
}
