import { EndpointService } from '../../agent/src/app/EndpointService';
import { PreconditionError } from '../../agent/src/domain/errors';
import type { EndpointInput } from '../../agent/src/domain/normalizeEndpoint';
import {
  endpointInput,
  makeMemoryHost,
  networkInput,
  subnet24,
  type MemoryHost,
} from '../support/memoryHost';

/**
 * The host's own addresses and routes are not the client's (issue 11 §1.4): an endpoint never takes an
 * address the host has, nor one a more specific host route sends elsewhere; a passthru network never
 * takes a link the host lives on; the agent's routes are added, never replacing the host's.
 */
describe("the host's own addressing", () => {
  let host: MemoryHost;
  let endpoints: EndpointService;
  const input = (overrides: Partial<EndpointInput> = {}) => endpointInput({ name: 'web', ...overrides });

  beforeEach(async () => {
    host = await makeMemoryHost({
      links: [
        { name: 'eth0', mtu: 1500 },
        { name: 'eth1', mtu: 1500 },
      ],
    });
    host.driver.addNetnsBehindBack({ name: 'c1' });
    await host.driver.addAddress('eth0', '192.168.0.2/24');
    await host.driver.addAddress('eth1', '10.9.0.2/24');
    await host.driver.addRoute('192.168.0.128/25', 'eth1');
    endpoints = host.endpoints;
  });
  afterEach(() => host.close());

  const refusal = async (promise: Promise<unknown>) => {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PreconditionError);
    return (err as Error).message;
  };

  it("refuses an endpoint the host's own address, naming it, and skips it when allocating", async () => {
    await host.networks.createNetwork(networkInput({ name: 'mvnet', parent: 'eth0', subnets: subnet24(0) }));
    expect(await refusal(endpoints.createEndpoint(input({ ipv4Address: '192.168.0.2' })))).toBe(
      'endpoint.ipv4_address: 192.168.0.2 is taken by the host (192.168.0.2/24 on eth0)',
    );
    const { endpoint } = await endpoints.createEndpoint(input());
    expect(endpoint.spec.ipv4Address).toBe('192.168.0.3');
  });

  it('refuses an address that a more specific host route sends elsewhere, naming the route', async () => {
    await host.networks.createNetwork(networkInput({ name: 'mvnet', parent: 'eth0', subnets: subnet24(0) }));
    expect(await refusal(endpoints.createEndpoint(input({ ipv4Address: '192.168.0.200' })))).toBe(
      "endpoint.ipv4_address: 192.168.0.200 is taken by the host's route 192.168.0.128/25 dev eth1",
    );
    expect(host.store.listEndpoints()).toEqual([]);
  });

  it("gives the host-access shim an address the host does not have, out of the host route's way", async () => {
    const { network } = await host.networks.createNetwork(
      networkInput({ name: 'mvnet', parent: 'eth0', subnets: subnet24(0), hostAccess: true }),
    );
    expect(network.status.hostAddresses).toEqual(['192.168.0.127']);
  });

  it('refuses a passthru network on a link that carries the host, and allows one on a link that does not', async () => {
    const passthru = (parent: string, name: string, n: number) =>
      host.networks.createNetwork(networkInput({ name, parent, mode: 'passthru', subnets: subnet24(n) }));
    expect(await refusal(passthru('eth0', 'pt0', 50))).toBe(
      "parent eth0 carries the host's address 192.168.0.2/24: a passthru network would take the link from the host and cut it off; use another parent, or another mode",
    );
    await host.driver.addLinkBehindBack({ name: 'eth2', mtu: 1500 });
    await passthru('eth2', 'pt2', 52);
    expect(host.store.getNetwork('pt2')).toBeDefined();
  });

  it('adds host routes, never replacing a route of the host through another link', async () => {
    await expect(host.driver.addRoute('192.168.0.128/25', 'eth0')).rejects.toThrow(
      'cannot add route 192.168.0.128/25 on eth0: File exists',
    );
    expect(host.driver.routesIn()).toEqual(['192.168.0.128/25 dev eth1']);
    await host.driver.addRoute('192.168.0.128/25', 'eth1'); // the same route again: success
  });
});
