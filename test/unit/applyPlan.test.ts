/**
 * planApply, on a view that readApplyView reads from a host on the in-memory kernel: what each object
 * becomes and why, in the order a person reads a change; addresses, interface names and MACs made
 * concrete; what Apply may not touch (endpoints of another manager, the networks under them).
 */
import { readApplyView } from '../../agent/src/app/apply/readApplyView';
import type { ApplySpecInput } from '../../agent/src/domain/apply/applyModel';
import { checkApplySpec } from '../../agent/src/domain/apply/checkApplySpec';
import { planApply } from '../../agent/src/domain/apply/planApply';
import { deriveMac } from '../../agent/src/domain/endpointMac';
import { PreconditionError } from '../../agent/src/domain/errors';
import { describeStep, ep, makeApplyHost, net, request, spec, type ApplyHost } from '../support/applyHost';

const CNI = { 'mvnet.io/managed-by': 'cni' };

describe('planApply on a host of the in-memory kernel', () => {
  let h: ApplyHost;
  beforeEach(async () => {
    h = await makeApplyHost(['c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
  });
  afterEach(() => h.close());

  async function plan(s: ApplySpecInput) {
    const desired = checkApplySpec(s);
    const { store: state, driver } = h.host;
    const view = await readApplyView(
      { state, driver, capabilities: await driver.probeCapabilities() },
      desired.endpoints,
    );
    return planApply(desired, view);
  }
  const applied = (s: ApplySpecInput) => h.apply.apply(request(s));
  const endpointOf = (network: string, name: string) => h.host.store.getEndpoint(network, name)!.spec;

  it('orders the plan: endpoints off, networks off, replaced, created, updated, kept', async () => {
    await applied(
      spec(
        [net('keep', 1), net('upd', 2), net('repl', 3), net('gone', 4)],
        [ep('c1', 'keep'), ep('c2', 'keep'), ep('c3', 'keep'), ep('c4', 'repl'), ep('c5', 'gone')],
      ),
    );
    const t = await plan(
      spec(
        [
          net('new', 5),
          net('repl', 3, { subnets: [{ ...net('', 3).subnets[0], gateway: '192.168.3.254' }] }),
          net('upd', 2, { labels: { tier: 'web' } }),
          net('keep', 1),
        ],
        [ep('c6', 'new'), ep('c4', 'repl'), ep('c2', 'keep', { labels: { team: 'a' } }), ep('c1', 'keep')],
      ),
    );
    expect(t.plan.map((s) => `${describeStep(s)}: ${s.reason}`)).toEqual([
      'DELETE endpoint gone/c5: network gone is deleted',
      'DELETE endpoint keep/c3: not in the spec',
      'DELETE network gone: not in the spec',
      'REPLACE network repl: subnets[0].gateway: 192.168.3.1 → 192.168.3.254',
      'REPLACE endpoint repl/c4: network repl is replaced',
      'CREATE network new: new network on eth0, 192.168.5.0/24',
      'CREATE endpoint new/c6: new endpoint in c6 as eth0, 192.168.5.2',
      'UPDATE network upd: labels[tier]: (none) → web',
      'UPDATE endpoint keep/c2: labels[team]: (none) → a',
      'KEEP network keep: as specified',
      'KEEP endpoint keep/c1: as specified',
    ]);
    // The kernel work: only what goes off and comes on; UPDATE and KEEP touch no link.
    expect(t.detach.map((e) => e.spec.name).sort()).toEqual(['c3', 'c4', 'c5']);
    // Removals in the host's order, creations in the spec's.
    expect(t.removeNetworks.map((r) => r.record.spec.name)).toEqual(['gone', 'repl']);
    expect(t.createNetworks.map((c) => c.record.spec.name)).toEqual(['new', 'repl']);
    expect(t.attach.map((a) => a.spec.name)).toEqual(['c6', 'c4']);
    expect(t.updateNetworks.map((n) => n.spec.name)).toEqual(['upd']);
    expect(t.updateEndpoints.map((e) => e.spec.name)).toEqual(['c2']);
    expect(t.deletedEndpoints.map((e) => e.spec.name).sort()).toEqual(['c3', 'c5']);
    expect(t.deletedNetworks.map((n) => n.spec.name)).toEqual(['gone']);
  });

  it('changes in place what takes no link: labels, ip_range and aux addresses are UPDATE; the rest REPLACE', async () => {
    await applied(spec([net('a', 1), net('b', 2), net('c', 3)]));
    const ranged = {
      ...net('', 1).subnets[0],
      ipRange: '192.168.1.128/25',
      auxAddresses: { nas: '192.168.1.9' },
    };
    const t = await plan(
      spec([
        net('a', 1, { subnets: [ranged] }),
        net('b', 2, { mtu: 1400 }),
        net('c', 3, { mode: 'private' }),
      ]),
    );
    expect(t.plan.map((s) => `${describeStep(s)}: ${s.reason}`)).toEqual([
      'REPLACE network b: mtu: 0 → 1400',
      'REPLACE network c: mode: bridge → private',
      'UPDATE network a: subnets[0].ip_range: "" → 192.168.1.128/25, subnets[0].aux_addresses[nas]: (none) → 192.168.1.9',
    ]);
  });

  it('keeps the addresses and MACs of the endpoints of a replaced network', async () => {
    await applied(spec([net('n', 1)], [ep('c1', 'n', { ipv4Address: '192.168.1.50' }), ep('c2', 'n')]));
    const before = [endpointOf('n', 'c1'), endpointOf('n', 'c2')];
    const t = await plan(spec([net('n', 1, { mtu: 1400 })], [ep('c1', 'n'), ep('c2', 'n')]));
    expect(t.plan.map(describeStep)).toEqual([
      'REPLACE network n',
      'REPLACE endpoint n/c1',
      'REPLACE endpoint n/c2',
    ]);
    expect(t.attach.map((a) => [a.spec.ipv4Address, a.spec.macAddress, a.spec.ifname])).toEqual(
      before.map((e) => [e.ipv4Address, e.macAddress, e.ifname]),
    );
  });

  it('honours explicit addresses first, even one another endpoint holds now, which then gets a new one', async () => {
    await applied(spec([net('n', 1)], [ep('c1', 'n'), ep('c2', 'n'), ep('c3', 'n')]));
    expect([1, 2, 3].map((i) => endpointOf('n', `c${i}`).ipv4Address)).toEqual([
      '192.168.1.2',
      '192.168.1.3',
      '192.168.1.4',
    ]);
    const t = await plan(
      spec(
        [net('n', 1)],
        [
          ep('c1', 'n', { ipv4Address: '192.168.1.3' }),
          ep('c2', 'n'),
          ep('c3', 'n', { ipv4Address: '192.168.1.2' }),
        ],
      ),
    );
    expect(t.plan.map((s) => `${describeStep(s)}: ${s.reason}`)).toEqual([
      'REPLACE endpoint n/c1: ipv4_address: 192.168.1.2 → 192.168.1.3',
      // c2 may not keep .3, which c1 asked for; it takes the first free one, .4, which c3 gives up.
      'REPLACE endpoint n/c2: ipv4_address: 192.168.1.3 → 192.168.1.4',
      'REPLACE endpoint n/c3: ipv4_address: 192.168.1.4 → 192.168.1.2',
      'KEEP network n: as specified',
    ]);
  });

  it('never gives out an address an endpoint of another manager holds, and refuses it when asked for', async () => {
    await applied(spec([net('n', 1)]));
    await h.endpoints.createEndpoint({ ...ep('cni1', 'n', { netns: 'c1', labels: CNI }) });
    expect(endpointOf('n', 'cni1').ipv4Address).toBe('192.168.1.2');
    const t = await plan(spec([net('n', 1)], [ep('c2', 'n'), ep('c3', 'n')]));
    expect(t.plan.map(describeStep)).toEqual([
      'CREATE endpoint n/c2',
      'CREATE endpoint n/c3',
      'KEEP network n',
    ]);
    expect(t.attach.map((a) => a.spec.ipv4Address)).toEqual(['192.168.1.3', '192.168.1.4']);
    // Nor its interface name in the container they share: the Apply's endpoint there is eth1.
    const shared = await plan(spec([net('n', 1)], [ep('c1', 'n')]));
    expect(shared.attach.map((a) => a.spec.ifname)).toEqual(['eth1']);
    await expect(plan(spec([net('n', 1)], [ep('c2', 'n', { ipv4Address: '192.168.1.2' })]))).rejects.toThrow(
      new PreconditionError(
        'spec.endpoints[0]: endpoint.ipv4_address: 192.168.1.2 is taken by endpoint cni1',
      ),
    );
    // And the endpoint itself stays out of the plan, even in a spec that has no place for it.
    expect((await plan(spec([net('n', 1)]))).plan.map(describeStep)).toEqual(['KEEP network n']);
  });

  it('will not delete or replace a network under endpoints of another manager, naming them', async () => {
    await applied(spec([net('n', 1), net('m', 2)]));
    await h.endpoints.createEndpoint(ep('cni1', 'n', { netns: 'c1', labels: CNI }));
    await expect(plan(spec([net('m', 2)]))).rejects.toThrow(
      new PreconditionError(
        'network n: the Apply would delete network n, which holds endpoints another manager owns (mvnet.io/managed-by): cni1 (cni); remove them through their manager first',
      ),
    );
    await expect(plan(spec([net('m', 2), net('n', 1, { mtu: 1400 })]))).rejects.toThrow(
      'spec.networks[1]: the Apply would replace network n, which holds endpoints another manager owns (mvnet.io/managed-by): cni1 (cni)',
    );
    // Changed in place, it is fine: the endpoint keeps its link.
    const t = await plan(spec([net('m', 2), net('n', 1, { labels: { a: 'b' } })]));
    expect(t.plan.map(describeStep)).toEqual(['UPDATE network n', 'KEEP network m']);
  });

  it('refuses an endpoint in a container that does not exist, and reports every such problem at once', async () => {
    await applied(spec([net('n', 1)]));
    const err = await plan(
      spec([net('n', 1)], [ep('x', 'n', { netns: 'ghost' }), ep('y', 'n', { netns: 'pid:4242' })]),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreconditionError);
    expect((err as Error).message).toBe(
      'spec.endpoints[0].netns: network namespace ghost does not exist: start the container first; spec.endpoints[1].netns: network namespace pid:4242 does not exist: start the container first',
    );
  });

  it('keeps a LOST endpoint as it is while its container is gone, and attaches it again once it is back', async () => {
    await applied(spec([net('n', 1)], [ep('c1', 'n')]));
    const made = endpointOf('n', 'c1');
    h.host.driver.removeNetnsBehindBack({ name: 'c1' });
    expect((await h.endpoints.getEndpoint('n', 'c1')).endpoint.status.state).toBe('lost');
    const whileGone = await plan(spec([net('n', 1)], [ep('c1', 'n')]));
    expect(whileGone.plan.map(describeStep)).toEqual(['KEEP network n', 'KEEP endpoint n/c1']);
    // A replaced network takes it along LOST, its lease and MAC kept, with no link to make.
    const replaced = await plan(spec([net('n', 1, { mtu: 1400 })], [ep('c1', 'n')]));
    expect(replaced.attach).toEqual([]);
    expect(
      replaced.updateEndpoints.map((e) => [e.spec.ipv4Address, e.spec.macAddress, e.status.state]),
    ).toEqual([[made.ipv4Address, made.macAddress, 'lost']]);
    h.host.driver.addNetnsBehindBack({ name: 'c1' });
    const back = await plan(spec([net('n', 1)], [ep('c1', 'n')]));
    expect(back.plan.map((s) => `${describeStep(s)}: ${s.reason}`)).toEqual([
      'REPLACE endpoint n/c1: status: lost → ready (attached again)',
      'KEEP network n: as specified',
    ]);
    expect(back.attach.map((a) => [a.spec.ipv4Address, a.spec.macAddress])).toEqual([
      [made.ipv4Address, made.macAddress],
    ]);
  });

  it('derives a new endpoint’s MAC from the host, network and name; keeps one given before; replaces for a new one', async () => {
    const given = '02:00:00:00:00:42';
    await applied(spec([net('n', 1)], [ep('c1', 'n', { macAddress: given })]));
    const fresh = await plan(spec([net('n', 1)], [ep('c1', 'n'), ep('c2', 'n')]));
    expect(fresh.plan.map(describeStep)).toEqual([
      'CREATE endpoint n/c2',
      'KEEP network n',
      'KEEP endpoint n/c1',
    ]);
    expect(fresh.attach[0].spec.macAddress).toBe(deriveMac('n', 'c2', h.host.store.hostId()));
    const other = await plan(spec([net('n', 1)], [ep('c1', 'n', { macAddress: '02:00:00:00:00:43' })]));
    expect(other.plan[0].reason).toBe('mac_address: 02:00:00:00:00:42 → 02:00:00:00:00:43');
  });

  it('gives an interface name asked for to its endpoint: one that only kept it moves; another manager’s is refused', async () => {
    await applied(spec([net('n', 1), net('m', 2)], [ep('a', 'n', { netns: 'c1' })]));
    await h.endpoints.createEndpoint(ep('cni1', 'n', { netns: 'c2', ifname: 'net1', labels: CNI }));
    const t = await plan(
      spec(
        [net('n', 1), net('m', 2)],
        [ep('a', 'n', { netns: 'c1' }), ep('b', 'm', { netns: 'c1', ifname: 'eth0' })],
      ),
    );
    expect(t.plan.map((s) => `${describeStep(s)}: ${s.reason}`)).toEqual([
      'REPLACE endpoint n/a: ifname: eth0 → eth1',
      'CREATE endpoint m/b: new endpoint in c1 as eth0, 192.168.2.2',
      'KEEP network n: as specified',
      'KEEP network m: as specified',
    ]);
    await expect(
      plan(spec([net('n', 1), net('m', 2)], [ep('b', 'm', { netns: 'c2', ifname: 'net1' })])),
    ).rejects.toThrow(
      new PreconditionError('spec.endpoints[0].ifname: net1 in c2 is used by endpoint cni1 of network n'),
    );
  });

  it('keeps an endpoint’s interface name, and gives a moved one the next free name in its new container', async () => {
    await applied(
      spec(
        [net('n', 1), net('m', 2)],
        [ep('a', 'n', { netns: 'c1', ifname: 'net5' }), ep('b', 'm', { netns: 'c2' })],
      ),
    );
    const t = await plan(
      spec([net('n', 1), net('m', 2)], [ep('a', 'n', { netns: 'c1' }), ep('b', 'm', { netns: 'c1' })]),
    );
    expect(t.plan.map((s) => `${describeStep(s)}: ${s.reason}`)).toEqual([
      'REPLACE endpoint m/b: netns: c2 → c1',
      'KEEP network n: as specified',
      'KEEP network m: as specified',
      'KEEP endpoint n/a: as specified',
    ]);
    expect(t.attach.map((a) => a.spec.ifname)).toEqual(['eth0']);
  });
});
