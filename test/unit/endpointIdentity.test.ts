import { EndpointService } from '../../agent/src/app/EndpointService';
import { restoreEndpoints } from '../../agent/src/app/restoreEndpoints';
import { PreconditionError } from '../../agent/src/domain/errors';
import type { EndpointRecord } from '../../agent/src/domain/model';
import type { EndpointInput } from '../../agent/src/domain/normalizeEndpoint';
import {
  endpointInput,
  makeMemoryHost,
  networkInput,
  silentLogger,
  subnet24,
  type MemoryHost,
} from '../support/memoryHost';

/**
 * An endpoint belongs to the namespace it was attached into (issue 11): the agent's own re-attaches go
 * there only; a ref that now names another namespace (a pid reused, a name given to a new container)
 * makes the endpoint LOST, and that namespace is never touched.
 */
describe('endpoint identity: the namespace an endpoint was attached into', () => {
  let host: MemoryHost;
  let endpoints: EndpointService;
  const input = (netns: string): EndpointInput => endpointInput({ name: 'web', netns });
  const restore = (reboot = false) =>
    restoreEndpoints({ state: host.store, driver: host.driver, logger: silentLogger, reboot });
  const stored = (): EndpointRecord => host.store.getEndpoint('mvnet', 'web')!;

  beforeEach(async () => {
    host = await makeMemoryHost();
    await host.networks.createNetwork(networkInput({ name: 'mvnet', parent: 'eth0', subnets: subnet24(0) }));
    endpoints = host.endpoints;
  });
  afterEach(() => host.close());

  it('records the namespace of every attach a client asks for', async () => {
    host.driver.addNetnsBehindBack({ name: 'c1' });
    const { endpoint } = await endpoints.createEndpoint(input('c1'));
    expect(endpoint.spec.netnsInstance).toEqual(await host.driver.netnsInstance({ name: 'c1' }));
    expect(stored().spec.netnsInstance).toEqual(endpoint.spec.netnsInstance);
  });

  it('finds LOST, at restart, an endpoint whose pid went to another namespace, and leaves that one alone', async () => {
    host.driver.addNetnsBehindBack({ pid: 4242 });
    await endpoints.createEndpoint(input('pid:4242'));
    host.driver.removeNetnsBehindBack({ pid: 4242 });
    host.driver.addNetnsBehindBack({ pid: 4242 }); // another process, another namespace, the same pid
    await restore();
    expect(stored().status).toMatchObject({ state: 'lost' });
    expect(stored().status.message).toMatch(/^network namespace pid:4242 is another namespace now/);
    expect(await host.driver.listLinkNamesIn({ pid: 4242 })).toEqual(['lo']);
  });

  it('finds LOST, when asked, an endpoint whose named netns was made anew, and does not attach there', async () => {
    host.driver.addNetnsBehindBack({ name: 'c1' });
    await endpoints.createEndpoint(input('c1'));
    host.driver.removeNetnsBehindBack({ name: 'c1' });
    host.driver.addNetnsBehindBack({ name: 'c1' });
    const { endpoint } = await endpoints.getEndpoint('mvnet', 'web');
    expect(endpoint.status.state).toBe('lost');
    await restore();
    expect(await host.driver.listLinkNamesIn({ name: 'c1' })).toEqual(['lo']);
  });

  it('attaches a READY endpoint whose link went missing again into its own namespace only', async () => {
    host.driver.addNetnsBehindBack({ name: 'c1' });
    await endpoints.createEndpoint(input('c1'));
    const attach = jest.spyOn(host.driver, 'attachEndpoint');
    await host.driver.detachEndpoint({ name: 'c1' }, 'eth0', 'mvnet:mvnet/web');
    await restore();
    expect(attach.mock.calls[0][0].netnsInstance).toEqual(stored().spec.netnsInstance);
    expect(stored().status.state).toBe('ready');
  });

  it('takes the new namespace when a client creates the LOST endpoint again: same lease and MAC', async () => {
    host.driver.addNetnsBehindBack({ name: 'c1' });
    const first = (await endpoints.createEndpoint(input('c1'))).endpoint;
    host.driver.removeNetnsBehindBack({ name: 'c1' });
    await endpoints.getEndpoint('mvnet', 'web');
    host.driver.addNetnsBehindBack({ name: 'c1' });
    const again = (await endpoints.createEndpoint(input('c1'))).endpoint;
    expect(again.status.state).toBe('ready');
    expect(again.spec.netnsInstance).toEqual(await host.driver.netnsInstance({ name: 'c1' }));
    expect(again.spec.netnsInstance).not.toEqual(first.spec.netnsInstance);
    expect([again.spec.ipv4Address, again.spec.macAddress]).toEqual([
      first.spec.ipv4Address,
      first.spec.macAddress,
    ]);
  });

  it('finds every endpoint LOST after a reboot, even one whose named netns exists again', async () => {
    for (const netns of [{ name: 'c1' }, { pid: 4242 }]) host.driver.addNetnsBehindBack(netns);
    await endpoints.createEndpoint(input('c1'));
    await endpoints.createEndpoint({ ...input('pid:4242'), name: 'db' });
    await restore(true);
    expect(host.store.listEndpoints().map((e) => [e.spec.name, e.status.state])).toEqual([
      ['db', 'lost'],
      ['web', 'lost'],
    ]);
    expect(stored().status.message).toMatch(/^the host rebooted/);
  });

  it('adopts the namespace of an earlier agent’s endpoint from its own link, and does not guess without one', async () => {
    host.driver.addNetnsBehindBack({ name: 'c1' });
    await endpoints.createEndpoint(input('c1'));
    const { netnsInstance: _recorded, ...legacy } = stored().spec;
    host.store.transact((tx) => tx.putEndpoint({ spec: legacy, status: stored().status }, 'MODIFIED'));
    await restore();
    expect(stored().spec.netnsInstance).toEqual(await host.driver.netnsInstance({ name: 'c1' }));
    host.store.transact((tx) => tx.putEndpoint({ spec: legacy, status: stored().status }, 'MODIFIED'));
    await host.driver.detachEndpoint({ name: 'c1' }, 'eth0', 'mvnet:mvnet/web');
    await restore();
    expect(stored().status.state).toBe('lost');
    expect(await host.driver.listLinkNamesIn({ name: 'c1' })).toEqual(['lo']);
  });

  it("refuses the host's own namespace and a file that is no netns, changing nothing", async () => {
    host.driver.addNotANetnsBehindBack('fifo1');
    for (const netns of [`pid:${process.pid}`, 'fifo1']) {
      await expect(endpoints.createEndpoint(input(netns))).rejects.toBeInstanceOf(PreconditionError);
    }
    expect(host.store.listEndpoints()).toEqual([]);
    expect(host.store.leases('mvnet').size).toBe(0);
  });
});
