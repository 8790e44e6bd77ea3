/**
 * ApplyService on the in-memory kernel: a whole host in one change, one revision with an event per
 * object changed; the same spec again changes nothing; a stale revision is ABORTED; a kernel step that
 * fails mid-way is undone, leaving links and state exactly as they were.
 */
import { ApplyAbortedError, ConflictError, InvalidSpecError } from '../../agent/src/domain/errors';
import type { DriverMethod } from '../../agent/src/kernel/memory/InjectedFailures';
import {
  describeStep,
  ep,
  makeApplyHost,
  net,
  request,
  snapshotOf,
  spec,
  type ApplyHost,
} from '../support/applyHost';

const CONTAINERS = [{ name: 'c1' }, { name: 'c2' }, { name: 'c3' }];

describe('ApplyService on the in-memory kernel', () => {
  let h: ApplyHost;
  beforeEach(async () => {
    h = await makeApplyHost();
  });
  afterEach(() => h.close());

  const two = spec([net('n', 1)], [ep('c1', 'n', { ipv4Address: '192.168.1.10' }), ep('c2', 'n')]);

  it('applies a spec in one revision, an event per object, and makes the links', async () => {
    const outcome = await h.apply.apply(request(two));
    expect(outcome).toMatchObject({ revision: 1, applyId: '' });
    expect(outcome.plan.map(describeStep)).toEqual([
      'CREATE network n',
      'CREATE endpoint n/c1',
      'CREATE endpoint n/c2',
    ]);
    const events = h.host.store.eventsAfter(0);
    expect(
      events.map((e) => `${e.revision}.${e.sequence} ${e.type} ${e.kind} ${e.name} ${e.revisionEnd}`),
    ).toEqual(['1.0 ADDED network n false', '1.1 ADDED endpoint c1 false', '1.2 ADDED endpoint c2 true']);
    const c1 = h.host.store.getEndpoint('n', 'c1')!;
    expect(c1.status).toEqual({ state: 'ready', message: '', revision: 1 });
    expect((await h.host.driver.inspectEndpoint({ name: 'c1' }, 'eth0')).link).toMatchObject({
      mac: c1.spec.macAddress,
      alias: 'mvnet:n/c1',
      addresses: ['192.168.1.10/24'],
    });
    expect(h.host.driver.routesIn({ name: 'c2' })).toContain('default via 192.168.1.1 dev eth0');
    expect([...h.host.store.leases('n')]).toEqual([
      ['192.168.1.10', 'endpoint c1'],
      ['192.168.1.2', 'endpoint c2'],
    ]);
    expect(h.host.store.pendingOps()).toEqual([]);
  });

  it('applies the same spec again as all KEEP: no revision, no event, no kernel change', async () => {
    await h.apply.apply(request(two));
    const before = await snapshotOf(h.host, CONTAINERS);
    const changes = h.host.driver.changes.length;
    const again = await h.apply.apply(request(two));
    expect(again.plan.map(describeStep)).toEqual([
      'KEEP network n',
      'KEEP endpoint n/c1',
      'KEEP endpoint n/c2',
    ]);
    expect(again).toMatchObject({ revision: 1, applyId: '' });
    expect(h.host.driver.changes.length).toBe(changes);
    expect(await snapshotOf(h.host, CONTAINERS)).toEqual(before);
  });

  it('returns the plan of a dry run and changes nothing', async () => {
    const before = await snapshotOf(h.host, CONTAINERS);
    const changes = h.host.driver.changes.length;
    const dry = await h.apply.apply(request(two, { dryRun: true }));
    expect(dry.plan.map(describeStep)).toEqual([
      'CREATE network n',
      'CREATE endpoint n/c1',
      'CREATE endpoint n/c2',
    ]);
    expect(dry).toMatchObject({ revision: 0, applyId: '' });
    expect(h.host.driver.changes.length).toBe(changes);
    expect(await snapshotOf(h.host, CONTAINERS)).toEqual(before);
  });

  it('refuses a stale expected_revision with ABORTED, naming both; the right one, or 0, goes through', async () => {
    await h.apply.apply(request(two));
    const before = await snapshotOf(h.host, CONTAINERS);
    const moved = spec([net('n', 1)], [ep('c1', 'n')]);
    const err = await h.apply.apply(request(moved, { expectedRevision: 7 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toMatch(/^expected_revision 7 is not the host's revision 1: /);
    expect(await snapshotOf(h.host, CONTAINERS)).toEqual(before);
    expect((await h.apply.apply(request(moved, { expectedRevision: 1 }))).revision).toBe(2);
    expect((await h.apply.apply(request(two, { expectedRevision: 0 }))).revision).toBe(3);
  });

  it('refuses a confirm_within outside 1s to 1h before looking at the spec', async () => {
    for (const ms of [999, 3_600_001]) {
      await expect(h.apply.apply(request(spec([net('n 1', 1)]), { confirmWithinMs: ms }))).rejects.toThrow(
        new InvalidSpecError('confirm_within', `${ms / 1000} s is out of range: use 1s to 1h`),
      );
    }
    expect(h.host.store.revision()).toBe(0);
  });

  it('swaps two endpoints’ addresses in one change (every lease is released before any is taken)', async () => {
    await h.apply.apply(request(two));
    const swapped = spec(
      [net('n', 1)],
      [ep('c1', 'n', { ipv4Address: '192.168.1.2' }), ep('c2', 'n', { ipv4Address: '192.168.1.10' })],
    );
    const { revision } = await h.apply.apply(request(swapped));
    expect(revision).toBe(2);
    expect([...h.host.store.leases('n')].sort()).toEqual([
      ['192.168.1.10', 'endpoint c2'],
      ['192.168.1.2', 'endpoint c1'],
    ]);
    expect((await h.host.driver.inspectEndpoint({ name: 'c2' }, 'eth0')).link?.addresses).toEqual([
      '192.168.1.10/24',
    ]);
  });

  it('hands an interface name asked for to its endpoint, moving the one that only kept it', async () => {
    await h.apply.apply(request(spec([net('n', 1)], [ep('a', 'n', { netns: 'c1' })])));
    const both = spec(
      [net('n', 1), net('m', 2)],
      [ep('a', 'n', { netns: 'c1' }), ep('b', 'm', { netns: 'c1', ifname: 'eth0' })],
    );
    expect((await h.apply.apply(request(both))).revision).toBe(2);
    const inC1 = await Promise.all(
      ['eth0', 'eth1'].map(
        async (ifname) => (await h.host.driver.inspectEndpoint({ name: 'c1' }, ifname)).link?.alias,
      ),
    );
    expect(inC1).toEqual(['mvnet:m/b', 'mvnet:n/a']);
    expect((await h.apply.apply(request(both))).plan.every((s) => s.action === 'KEEP')).toBe(true);
  });

  it('deletes what the spec lacks, releasing the leases, and leaves a foreign link alone', async () => {
    await h.apply.apply(request(two));
    h.host.driver.addLinkBehindBack({ name: 'theirs', mtu: 1500 });
    const { plan } = await h.apply.apply(request(spec([])));
    expect(plan.map(describeStep)).toEqual([
      'DELETE endpoint n/c1',
      'DELETE endpoint n/c2',
      'DELETE network n',
    ]);
    expect(h.host.store.listNetworks()).toEqual([]);
    expect(h.host.store.leases('n').size).toBe(0);
    expect(await h.host.driver.listLinkNamesIn({ name: 'c1' })).toEqual(['lo']);
    expect((await h.host.driver.listLinks()).map((l) => l.name)).toEqual(['eth0', 'theirs']);
  });

  it('turns promiscuous mode off again when the network that asked for it fails to be made', async () => {
    const before = await snapshotOf(h.host, CONTAINERS);
    h.host.driver.failNext('createMacvlan');
    const loud = spec([net('p', 1, { promiscuous: true, hostAccess: true })]);
    await expect(h.apply.apply(request(loud))).rejects.toThrow(
      /^step 1 of 1 \(create network p \(set eth0 promiscuous on, create macvlan mvh-.*\)\) failed: cannot create macvlan/,
    );
    expect(await snapshotOf(h.host, CONTAINERS)).toEqual(before);
    expect((await h.host.driver.getLink('eth0'))?.promiscuous).toBe(false);
  });

  describe('a kernel step that fails mid-way', () => {
    /** From: n on eth0.10 with host access (c1, c2), old on eth0 (c3). To: n's gateway changed, old gone, m on eth0.20 (c3). */
    const from = spec(
      [net('n', 1, { parent: 'eth0.10', hostAccess: true }), net('old', 2)],
      [ep('c1', 'n'), ep('c2', 'n', { ipv4Address: '192.168.1.20' }), ep('c3', 'old')],
    );
    const to = spec(
      [
        net('n', 1, {
          parent: 'eth0.10',
          hostAccess: true,
          subnets: [{ ...net('', 1).subnets[0], gateway: '192.168.1.254' }],
        }),
        net('m', 3, { parent: 'eth0.20' }),
      ],
      [ep('c1', 'n'), ep('c2', 'n'), ep('c3', 'm')],
    );

    beforeEach(async () => {
      await h.apply.apply(request(from));
    });

    /** Makes the n-th call of `method` from now fail in the kernel. */
    function failCall(method: DriverMethod, n: number): void {
      const driver = h.host.driver as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      const real = driver[method].bind(driver);
      let calls = 0;
      jest.spyOn(h.host.driver, method as never).mockImplementation(((...args: unknown[]) => {
        if (++calls === n) h.host.driver.failNext(method, 'RTNETLINK answers: No buffer space available');
        return real(...args);
      }) as never);
    }

    it.each<[DriverMethod, number, string]>([
      ['detachEndpoint', 2, 'detach endpoint c2 of network n'],
      ['deleteLink', 1, 'remove network n (delete mvh-'],
      ['deleteLink', 2, 'cannot delete link eth0.10'],
      ['createVlan', 2, 'create network m'],
      ['createMacvlan', 1, 'create network n'],
      ['setLinkUp', 1, 'create network n'],
      ['attachEndpoint', 3, 'attach endpoint c3 of network m in c3'],
      ['getLink', 1, 'the commit failed'],
    ])('undoes every step when %s fails (call %i): %s', async (method, n, words) => {
      const before = await snapshotOf(h.host, CONTAINERS);
      failCall(method, n);
      const err = await h.apply.apply(request(to)).catch((e: unknown) => e);
      jest.restoreAllMocks();
      expect(err).toBeInstanceOf(ApplyAbortedError);
      expect((err as Error).message).toContain(words);
      expect((err as Error).message).toMatch(/No buffer space available/);
      expect(await snapshotOf(h.host, CONTAINERS)).toEqual(before);
      // And the same Apply then goes through.
      const { plan } = await h.apply.apply(request(to));
      expect(plan.map(describeStep)).toEqual([
        'DELETE endpoint old/c3',
        'DELETE network old',
        'REPLACE network n',
        'REPLACE endpoint n/c1',
        'REPLACE endpoint n/c2',
        'CREATE network m',
        'CREATE endpoint m/c3',
      ]);
    });
  });
});
