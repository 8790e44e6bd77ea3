import { restoreEndpoints } from '../../agent/src/app/restoreEndpoints';
import {
  endpointInput,
  makeMemoryHost,
  networkInput,
  silentLogger,
  subnet24,
  type MemoryHost,
} from '../support/memoryHost';

/**
 * A restore at scale (issue 14): the agent reads each container's namespace once for all the endpoints
 * in it, never endpoint by endpoint, and commits what it found in one transaction, each change still a
 * revision and an event of its own.
 */
describe('restoreEndpoints: one look per namespace, one commit', () => {
  let host: MemoryHost;
  const containers = ['c1', 'c2'];
  const networks = ['n0', 'n1', 'n2'];
  const restore = (reboot: boolean) =>
    restoreEndpoints({ state: host.store, driver: host.driver, logger: silentLogger, reboot });
  const states = () => host.store.listEndpoints().map((e) => `${e.spec.name} ${e.status.state}`);

  beforeEach(async () => {
    host = await makeMemoryHost();
    for (const [i, name] of networks.entries())
      await host.networks.createNetwork(networkInput({ name, parent: 'eth0', subnets: subnet24(i) }));
    for (const c of containers) {
      host.driver.addNetnsBehindBack({ name: c });
      for (const network of networks)
        await host.endpoints.createEndpoint(endpointInput({ name: `${c}-${network}`, network, netns: c }));
    }
  });
  afterEach(() => host.close());

  it('reads each container netns once for all its endpoints, and re-attaches the one link missing', async () => {
    await host.driver.detachEndpoint({ name: 'c2' }, 'eth1', 'mvnet:n1/c2-n1');
    expect(await host.driver.listLinkNamesIn({ name: 'c2' })).not.toContain('eth1');
    const byNetns = jest.spyOn(host.driver, 'inspectNetns');
    const byEndpoint = jest.spyOn(host.driver, 'inspectEndpoint');
    await restore(false);
    expect(byNetns.mock.calls.map(([ref]) => ref)).toEqual([{ name: 'c1' }, { name: 'c2' }]);
    expect(byEndpoint).not.toHaveBeenCalled();
    expect((await host.driver.inspectNetns({ name: 'c2' })).links.map((l) => l.name).sort()).toEqual([
      'eth0',
      'eth1',
      'eth2',
      'lo',
    ]);
    expect(host.store.getEndpoint('n1', 'c2-n1')!.status.message).toBe(
      'link eth1 in c2 was missing: re-attached',
    );
    expect(new Set(states())).toEqual(
      new Set(networks.flatMap((n) => containers.map((c) => `${c}-${n} ready`))),
    );
  });

  it('commits the LOST endpoints of a gone container together, a revision and an event each', async () => {
    host.driver.removeNetnsBehindBack({ name: 'c1' });
    const before = host.store.revision();
    const each = jest.spyOn(host.store, 'transactEach');
    const one = jest.spyOn(host.store, 'transact');
    await restore(false);
    expect(each).toHaveBeenCalledTimes(1);
    expect(one).not.toHaveBeenCalled();
    const events = host.store.eventsAfter(before);
    expect(events.map((e) => `${e.revision} ${e.type} ${e.name}`)).toEqual(
      networks.map((n, i) => `${before + i + 1} MODIFIED c1-${n}`),
    );
    expect(states().filter((s) => s.endsWith('lost'))).toEqual(networks.map((n) => `c1-${n} lost`));
  });

  it('starts on a full state disk: what it finds is not stored, and the next look finds it again', async () => {
    host.driver.removeNetnsBehindBack({ name: 'c1' });
    host = await host.restart({ minFreeBytes: Number.MAX_SAFE_INTEGER });
    const revision = host.store.revision();
    await restore(false);
    expect(host.store.revision()).toBe(revision);
    expect(states().every((s) => s.endsWith(' ready'))).toBe(true);
    host = await host.restart();
    await restore(false);
    expect(states().filter((s) => s.endsWith(' lost'))).toEqual(networks.map((n) => `c1-${n} lost`));
  });

  it('finds every endpoint LOST after a reboot in one commit, without looking into any namespace', async () => {
    const look = jest.spyOn(host.driver, 'inspectNetns');
    const each = jest.spyOn(host.store, 'transactEach');
    await restore(true);
    expect(look).not.toHaveBeenCalled();
    expect(each).toHaveBeenCalledTimes(1);
    expect(states().every((s) => s.endsWith(' lost'))).toBe(true);
    expect(host.store.listEndpoints()).toHaveLength(containers.length * networks.length);
  });
});
