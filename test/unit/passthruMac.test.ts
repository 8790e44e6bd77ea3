/**
 * A passthru macvlan has its parent's MAC (the kernel gives it the lower device's, and the in-memory
 * kernel does the same): the endpoint records and reports that MAC, through a client's CreateEndpoint
 * and through Apply, and an explicit MAC on a passthru network is refused, changing nothing.
 */
import { InvalidSpecError, SpecViolationsError } from '../../agent/src/domain/errors';
import { ep, makeApplyHost, net, request, spec, type ApplyHost } from '../support/applyHost';
import {
  endpointInput,
  makeMemoryHost,
  networkInput,
  subnet24,
  type MemoryHost,
} from '../support/memoryHost';

const PARENT_MAC = '52:54:00:12:34:56';

describe('an endpoint of a passthru network, through CreateEndpoint', () => {
  let host: MemoryHost;
  beforeEach(async () => {
    host = await makeMemoryHost({ links: [{ name: 'eth0', mtu: 1500, mac: PARENT_MAC }] });
    host.driver.addNetnsBehindBack({ name: 'c1' });
    await host.networks.createNetwork(
      networkInput({ name: 'pt', parent: 'eth0', mode: 'passthru', subnets: subnet24(0) }),
    );
  });
  afterEach(() => host.close());

  it("reports the MAC its link really has: the parent's", async () => {
    const { endpoint } = await host.endpoints.createEndpoint(endpointInput({ network: 'pt' }));
    expect(endpoint.spec.macAddress).toBe(PARENT_MAC);
    expect((await host.driver.inspectEndpoint({ name: 'c1' }, 'eth0')).link?.mac).toBe(PARENT_MAC);
    expect(host.store.getEndpoint('pt', endpoint.spec.name)?.spec.macAddress).toBe(PARENT_MAC);
  });

  it('refuses an explicit MAC, naming the field, and makes nothing', async () => {
    const err = await host.endpoints
      .createEndpoint(endpointInput({ network: 'pt', macAddress: '02:42:c0:a8:00:09' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidSpecError);
    expect((err as InvalidSpecError).field).toBe('endpoint.mac_address');
    expect((err as Error).message).toContain('network pt is in passthru mode');
    expect(host.store.listEndpoints()).toEqual([]);
    expect((await host.driver.inspectEndpoint({ name: 'c1' }, 'eth0')).link).toBeUndefined();
  });
});

describe('an endpoint of a passthru network, through Apply', () => {
  let h: ApplyHost;
  beforeEach(async () => {
    h = await makeApplyHost();
  });
  afterEach(() => h.close());

  it("records the parent's MAC, and keeps it on the next Apply", async () => {
    const parentMac = (await h.host.driver.getLink('eth0'))!.mac;
    const desired = spec([net('pt', 1, { mode: 'passthru' })], [ep('c1', 'pt')]);
    await h.apply.apply(request(desired));
    expect(h.host.store.getEndpoint('pt', 'c1')?.spec.macAddress).toBe(parentMac);
    const again = await h.apply.apply(request(desired));
    expect(again.plan.map((s) => s.action)).toEqual(['KEEP', 'KEEP']);
  });

  it('refuses an explicit MAC with the field of the endpoint, and applies nothing', async () => {
    const desired = spec(
      [net('pt', 1, { mode: 'passthru' })],
      [ep('c1', 'pt', { macAddress: '02:42:c0:a8:00:09' })],
    );
    const err = await h.apply.apply(request(desired)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpecViolationsError);
    expect(JSON.stringify((err as SpecViolationsError).violations)).toContain('endpoints[0].mac_address');
    expect(h.host.store.listNetworks()).toEqual([]);
  });
});
