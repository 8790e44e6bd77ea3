import {
  AlreadyExistsError,
  ExhaustedError,
  InvalidSpecError,
  NotFoundError,
  PreconditionError,
} from '../../agent/src/domain/errors';
import { EndpointService } from '../../agent/src/app/EndpointService';
import { restoreEndpoints } from '../../agent/src/app/restoreEndpoints';
import {
  endpointInput,
  makeMemoryHost,
  networkInput,
  silentLogger,
  subnet24,
  type MemoryHost,
} from '../support/memoryHost';

describe('EndpointService on the in-memory kernel', () => {
  let host: MemoryHost;
  let endpoints: EndpointService;

  beforeEach(async () => {
    host = await makeMemoryHost();
    for (const name of ['c1', 'c2', 'c3']) host.driver.addNetnsBehindBack({ name });
    await host.networks.createNetwork(networkInput({ name: 'mvnet', parent: 'eth0', subnets: subnet24(0) }));
    endpoints = host.endpoints;
  });
  afterEach(() => host.close());

  it('attaches a container as eth0 with the first free address, a stable MAC and a default route', async () => {
    const { endpoint, revision } = await endpoints.createEndpoint(endpointInput());
    expect(endpoint.spec).toMatchObject({
      name: 'c1',
      ifname: 'eth0',
      ipv4Address: '192.168.0.2',
      ipv6Address: '',
    });
    expect(endpoint.spec.macAddress).toMatch(/^[0-9a-f]{1}[26ae](:[0-9a-f]{2}){5}$/);
    expect(endpoint.status.state).toBe('ready');
    expect(revision).toBe(2);
    const seen = await host.driver.inspectEndpoint({ name: 'c1' }, 'eth0');
    expect(seen.link).toMatchObject({
      mac: endpoint.spec.macAddress,
      alias: 'mvnet:mvnet/c1',
      adminUp: true,
      addresses: ['192.168.0.2/24'],
    });
  });

  it('takes a given address, and refuses one that is taken, naming who holds it', async () => {
    await endpoints.createEndpoint(endpointInput({ ipv4Address: '192.168.0.3' }));
    const err = await endpoints
      .createEndpoint(endpointInput({ netns: 'c2', ipv4Address: '192.168.0.3' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreconditionError);
    expect((err as Error).message).toBe('endpoint.ipv4_address: 192.168.0.3 is taken by endpoint c1');
    await expect(
      endpoints.createEndpoint(endpointInput({ netns: 'c2', ipv4Address: '192.168.0.1' })),
    ).rejects.toThrow('taken by the gateway of 192.168.0.0/24');
    await expect(
      endpoints.createEndpoint(endpointInput({ netns: 'c2', ipv4Address: '10.0.0.3' })),
    ).rejects.toThrow(InvalidSpecError);
    await expect(
      endpoints.createEndpoint(endpointInput({ netns: 'c2', ipv4Address: '192.168.0.255' })),
    ).rejects.toThrow('broadcast');
    await expect(
      endpoints.createEndpoint(endpointInput({ netns: 'c2', ipv6Address: 'fd00::3' })),
    ).rejects.toThrow('has no IPv6 subnet');
    expect(host.store.listEndpoints()).toHaveLength(1);
  });

  it('returns the same endpoint for the same request, and ALREADY_EXISTS for another', async () => {
    const first = await endpoints.createEndpoint(endpointInput({ ipv4Address: '192.168.0.3' }));
    const again = await endpoints.createEndpoint(endpointInput());
    expect(again.endpoint.spec).toEqual(first.endpoint.spec);
    expect(again.revision).toBe(first.revision);
    await expect(endpoints.createEndpoint(endpointInput({ ipv4Address: '192.168.0.9' }))).rejects.toThrow(
      AlreadyExistsError,
    );
    await expect(endpoints.createEndpoint(endpointInput({ ipv4Address: '192.168.0.9' }))).rejects.toThrow(
      'another ipv4Address',
    );
  });

  it('gives a second network of the same container the next interface, eth1', async () => {
    await host.networks.createNetwork(networkInput({ name: 'other', parent: 'eth0', subnets: subnet24(1) }));
    await endpoints.createEndpoint(endpointInput());
    const { endpoint } = await endpoints.createEndpoint(endpointInput({ network: 'other' }));
    expect(endpoint.spec).toMatchObject({ ifname: 'eth1', ipv4Address: '192.168.1.2' });
  });

  it('allocates from ip_range only, around aux addresses', async () => {
    await host.networks.createNetwork(
      networkInput({
        name: 'ranged',
        parent: 'eth0',
        subnets: [
          {
            cidr: '10.5.0.0/24',
            gateway: '10.5.0.1',
            ipRange: '10.5.0.128/30',
            auxAddresses: { nas: '10.5.0.129' },
          },
        ],
      }),
    );
    const made = [];
    for (const netns of ['c1', 'c2', 'c3'])
      made.push(
        (await endpoints.createEndpoint(endpointInput({ network: 'ranged', netns }))).endpoint.spec
          .ipv4Address,
      );
    expect(made).toEqual(['10.5.0.128', '10.5.0.130', '10.5.0.131']);
    host.driver.addNetnsBehindBack({ name: 'c4' });
    await expect(endpoints.createEndpoint(endpointInput({ network: 'ranged', netns: 'c4' }))).rejects.toThrow(
      ExhaustedError,
    );
  });

  it('never hands out one address twice to 100 concurrent creates', async () => {
    const names = Array.from({ length: 100 }, (_, i) => `k${i}`);
    for (const name of names) host.driver.addNetnsBehindBack({ name });
    const made = await Promise.all(names.map((netns) => endpoints.createEndpoint(endpointInput({ netns }))));
    const addresses = made.map((m) => m.endpoint.spec.ipv4Address);
    expect(new Set(addresses).size).toBe(100);
    expect(host.store.leases('mvnet').size).toBe(100);
    expect(new Set(made.map((m) => m.revision)).size).toBe(100);
  });

  it('refuses a container netns that does not exist, and a network that does not', async () => {
    await expect(endpoints.createEndpoint(endpointInput({ netns: 'ghost' }))).rejects.toThrow(
      'network namespace ghost does not exist',
    );
    await expect(endpoints.createEndpoint(endpointInput({ network: 'nope' }))).rejects.toThrow(NotFoundError);
  });

  it("names the network's missing parent when the kernel refuses an attach for it, and any other refusal as it is", async () => {
    host.driver.removeLinkBehindBack('eth0');
    const err = await endpoints.createEndpoint(endpointInput()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreconditionError);
    expect((err as Error).message).toBe(
      'network mvnet: its parent link eth0 is missing from the host: no endpoint can attach until it is back',
    );
    host.driver.addLinkBehindBack({ name: 'eth0' });
    host.driver.failNext('attachEndpoint', 'RTNETLINK answers: No buffer space available');
    await expect(endpoints.createEndpoint(endpointInput())).rejects.toThrow('No buffer space available');
    expect((await endpoints.createEndpoint(endpointInput())).endpoint.status.state).toBe('ready');
  });

  it('marks an endpoint LOST when its netns goes, keeps its lease, and re-attaches it with the same address and MAC', async () => {
    const { endpoint } = await endpoints.createEndpoint(endpointInput());
    host.driver.removeNetnsBehindBack({ name: 'c1' });
    const lost = await endpoints.getEndpoint('mvnet', 'c1');
    expect(lost.endpoint.status.state).toBe('lost');
    expect(host.store.leases('mvnet').get('192.168.0.2')).toBe('endpoint c1');
    const other = await endpoints.createEndpoint(endpointInput({ netns: 'c2' }));
    expect(other.endpoint.spec.ipv4Address).toBe('192.168.0.3');
    host.driver.addNetnsBehindBack({ name: 'c1' });
    const back = await endpoints.createEndpoint(endpointInput());
    expect(back.endpoint.status.state).toBe('ready');
    // The same lease and MAC, in the new container's namespace, which is recorded (issue 11).
    const { netnsInstance: was, ...kept } = endpoint.spec;
    const { netnsInstance: now, ...again } = back.endpoint.spec;
    expect(again).toEqual(kept);
    expect(now).not.toEqual(was);
    expect(host.store.eventsAfter(0).map((e) => `${e.type} ${e.name}`)).toEqual([
      'ADDED mvnet',
      'ADDED c1',
      'MODIFIED c1',
      'ADDED c2',
      'MODIFIED c1',
    ]);
  });

  it('deletes idempotently and releases the lease', async () => {
    await endpoints.createEndpoint(endpointInput());
    const { revision } = await endpoints.deleteEndpoint('mvnet', 'c1');
    expect((await host.driver.inspectEndpoint({ name: 'c1' }, 'eth0')).link).toBeUndefined();
    expect((await endpoints.deleteEndpoint('mvnet', 'c1')).revision).toBe(revision);
    expect(host.store.leases('mvnet').size).toBe(0);
  });

  it('refuses to delete a network with endpoints unless forced, then removes them too', async () => {
    await endpoints.createEndpoint(endpointInput());
    await expect(host.networks.deleteNetwork('mvnet', false)).rejects.toThrow('has 1 endpoint(s)');
    await host.networks.deleteNetwork('mvnet', true);
    expect((await host.driver.inspectEndpoint({ name: 'c1' }, 'eth0')).link).toBeUndefined();
    expect(host.store.eventsAfter(2).map((e) => `${e.type} ${e.kind} ${e.name}`)).toEqual([
      'DELETED endpoint c1',
      'DELETED network mvnet',
    ]);
  });

  it('gives endpoints of an internal network no default route', async () => {
    const attach = jest.spyOn(host.driver, 'attachEndpoint');
    await host.networks.createNetwork(networkInput({ name: 'iso', parent: '', subnets: subnet24(7) }));
    await endpoints.createEndpoint(endpointInput({ network: 'iso' }));
    expect(attach.mock.calls[0][0]).toMatchObject({ gateways: [], addresses: ['192.168.7.2/24'] });
  });

  it('re-attaches at start an endpoint whose link vanished, and finds LOST the one whose netns did', async () => {
    await endpoints.createEndpoint(endpointInput());
    await endpoints.createEndpoint(endpointInput({ netns: 'c2' }));
    await host.driver.detachEndpoint({ name: 'c1' }, 'eth0', 'mvnet:mvnet/c1');
    host.driver.removeNetnsBehindBack({ name: 'c2' });
    await restoreEndpoints({ state: host.store, driver: host.driver, logger: silentLogger, reboot: false });
    expect((await host.driver.inspectEndpoint({ name: 'c1' }, 'eth0')).link?.addresses).toEqual([
      '192.168.0.2/24',
    ]);
    expect(host.store.getEndpoint('mvnet', 'c2')!.status.state).toBe('lost');
    const events = host.store.eventsAfter(3).map((e) => `${e.type} ${e.name}: ${e.message}`);
    expect(events).toEqual([
      'DRIFT c1: link eth0 in c1 was missing: re-attached',
      expect.stringMatching(/^MODIFIED c2: network namespace c2 is gone/),
    ]);
  });

  it('removes the link again and answers NOT_FOUND when the network is deleted while the endpoint is attached', async () => {
    // The deletion is asked for while the attach is in the kernel: after the plan, before the commit.
    let deleting: Promise<unknown> | undefined;
    const attach = host.driver.attachEndpoint.bind(host.driver);
    jest.spyOn(host.driver, 'attachEndpoint').mockImplementationOnce(async (options) => {
      deleting = host.networks.deleteNetwork('mvnet', true);
      return attach(options);
    });
    const creating = endpoints.createEndpoint(endpointInput());
    await expect(creating).rejects.toThrow(
      new NotFoundError('network mvnet was deleted while endpoint c1 was being attached'),
    );
    await deleting;
    expect(await host.driver.listLinkNamesIn({ name: 'c1' })).toEqual(['lo']);
    expect(host.store.listEndpoints()).toEqual([]);
    expect(host.store.pendingOps()).toEqual([]);
  });
});
