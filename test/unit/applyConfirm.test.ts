/**
 * Commit-confirmed Apply on the in-memory kernel: rolled back at its deadline unless confirmed, or at
 * once on CancelApply; how it ended is remembered (a late ConfirmApply hears why); the pending
 * confirmation survives a restart; client mutations wait for it to end. Jest's fake clock stands in for
 * the deadline (setTimeout and Date together), so a 60 s window takes no time.
 */
import { InvalidSpecError, NotFoundError, PreconditionError } from '../../agent/src/domain/errors';
import { ep, makeApplyHost, net, request, snapshotOf, spec, type ApplyHost } from '../support/applyHost';

const CONTAINERS = [{ name: 'c1' }, { name: 'c2' }];
const WINDOW_MS = 60_000;
const moved = (gateway: string) =>
  spec(
    [net('n', 1, { parent: 'eth0.10', subnets: [{ ...net('', 1).subnets[0], gateway }] })],
    [ep('c1', 'n'), ep('c2', 'n')],
  );
const BEFORE = moved('192.168.1.1');
const AFTER = moved('192.168.1.254');

/** Lets the promises a fired timer started run to their end (the store and the kernel are in memory). */
async function settle(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(done()).toBe(true);
}

describe('Apply with confirm_within, on the in-memory kernel', () => {
  let h: ApplyHost;
  beforeEach(async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    h = await makeApplyHost(['c1', 'c2']);
    await h.apply.apply(request(BEFORE));
  });
  afterEach(() => {
    h.close();
    jest.useRealTimers();
  });

  const gateway = () => h.host.store.getNetwork('n')!.spec.subnets[0].gateway;
  const confirmed = () => h.apply.apply(request(AFTER, { confirmWithinMs: WINDOW_MS }));

  it('rolls an unconfirmed change back at its deadline, in one revision, MACs and leases as they were', async () => {
    const before = await snapshotOf(h.host, CONTAINERS);
    const { applyId, revision } = await confirmed();
    expect(applyId).toMatch(/^[0-9a-f]{16}$/);
    expect(revision).toBe(2);
    expect(h.apply.pendingApply()).toEqual({ applyId, revision, deadline: Date.now() + WINDOW_MS });
    expect(gateway()).toBe('192.168.1.254');
    expect(h.host.driver.routesIn({ name: 'c1' })).toContain('default via 192.168.1.254 dev eth0');
    jest.advanceTimersByTime(WINDOW_MS - 1);
    await settle(() => true);
    expect(h.apply.pendingApply()).toBeDefined();
    jest.advanceTimersByTime(1);
    await settle(() => h.apply.pendingApply() === undefined);
    const after = await snapshotOf(h.host, CONTAINERS);
    expect(after.revision).toBe(3);
    const unstamped = (s: typeof before) => ({
      ...s,
      revision: 0,
      events: 0,
      networks: s.networks.map((n) => ({ ...n, status: { ...n.status, revision: 0 } })),
      endpoints: s.endpoints.map((e) => ({ ...e, status: { ...e.status, revision: 0 } })),
    });
    expect(unstamped(after)).toEqual(unstamped(before));
    expect(h.host.store.eventsAfter(2).every((e) => e.revision === 3)).toBe(true);
    await expect(h.apply.confirm(applyId)).rejects.toThrow(
      new RegExp(`^apply ${applyId} was rolled back at revision 3: not confirmed by its deadline`),
    );
    await expect(h.apply.cancel(applyId)).rejects.toThrow(
      `apply ${applyId} was already rolled back at revision 3`,
    );
  });

  it('keeps a confirmed change past its deadline; the confirmation makes no revision', async () => {
    const { applyId, revision } = await confirmed();
    expect(await h.apply.confirm(applyId)).toEqual({ revision });
    expect(h.apply.pendingApply()).toBeUndefined();
    jest.advanceTimersByTime(2 * WINDOW_MS);
    await settle(() => true);
    expect(gateway()).toBe('192.168.1.254');
    expect(h.host.store.revision()).toBe(revision);
    expect(await h.apply.confirm(applyId)).toEqual({ revision }); // a retried confirm is fine
    await expect(h.apply.cancel(applyId)).rejects.toThrow(
      new PreconditionError(
        `apply ${applyId} was confirmed: it stays; apply another spec to change the host`,
      ),
    );
  });

  it('rolls back at once on CancelApply, answering with the rollback’s revision', async () => {
    const { applyId, revision } = await confirmed();
    expect(await h.apply.cancel(applyId)).toEqual({ revision: revision + 1 });
    expect(gateway()).toBe('192.168.1.1');
    expect(h.host.driver.routesIn({ name: 'c2' })).toContain('default via 192.168.1.1 dev eth0');
    await expect(h.apply.confirm(applyId)).rejects.toThrow(
      `apply ${applyId} was rolled back at revision ${revision + 1}: cancelled (CancelApply)`,
    );
    jest.advanceTimersByTime(WINDOW_MS); // the timer went with the cancel
    await settle(() => true);
    expect(h.host.store.revision()).toBe(revision + 1);
  });

  it('answers NOT_FOUND for an id it never gave, and INVALID_ARGUMENT for one that is not an id', async () => {
    await confirmed();
    await expect(h.apply.confirm('0123456789abcdef')).rejects.toThrow(
      new NotFoundError(
        'apply 0123456789abcdef is not pending and not among the last ones this host remembers',
      ),
    );
    await expect(h.apply.cancel('0123456789abcdef')).rejects.toThrow(NotFoundError);
    for (const id of ['', 'xyz', '0123456789ABCDEF', '0123456789abcdef0']) {
      await expect(h.apply.confirm(id)).rejects.toThrow(InvalidSpecError);
      await expect(h.apply.cancel(id)).rejects.toThrow(InvalidSpecError);
    }
    expect(h.apply.pendingApply()).toBeDefined();
  });

  it('refuses client mutations during the window, naming it; the same spec again gets its id back', async () => {
    const { applyId, revision } = await confirmed();
    const refusal = `apply ${applyId} awaits confirmation until ${new Date(Date.now() + WINDOW_MS).toISOString()}`;
    await expect(h.networks.createNetwork(net('m', 2))).rejects.toThrow(refusal);
    await expect(h.endpoints.deleteEndpoint('n', 'c1')).rejects.toThrow(PreconditionError);
    await expect(h.apply.apply(request(BEFORE))).rejects.toThrow(refusal);
    expect(await h.apply.apply(request(AFTER, { confirmWithinMs: WINDOW_MS }))).toMatchObject({
      applyId,
      revision,
    });
    // Reads and dry runs go on.
    expect((await h.apply.apply(request(BEFORE, { dryRun: true }))).plan[0].action).toBe('REPLACE');
    expect((await h.endpoints.getEndpoint('n', 'c1')).endpoint.status.state).toBe('ready');
    expect(h.host.store.revision()).toBe(revision);
    await h.apply.confirm(applyId);
    expect((await h.networks.createNetwork(net('m', 2))).revision).toBe(revision + 1);
  });

  it('keeps its deadline across a restart, and rolls back at it', async () => {
    const { applyId } = await confirmed();
    const pending = h.apply.pendingApply();
    jest.advanceTimersByTime(WINDOW_MS / 2);
    h = await h.restart();
    await h.apply.resume();
    expect(h.apply.pendingApply()).toEqual(pending);
    expect(gateway()).toBe('192.168.1.254');
    jest.advanceTimersByTime(WINDOW_MS / 2);
    await settle(() => h.apply.pendingApply() === undefined);
    expect(gateway()).toBe('192.168.1.1');
    await expect(h.apply.confirm(applyId)).rejects.toThrow('not confirmed by its deadline');
  });

  it('rolls back at start when the deadline passed while the agent was down', async () => {
    const { applyId, revision } = await confirmed();
    h.apply.stop(); // the agent is gone: its timer with it
    jest.setSystemTime(Date.now() + WINDOW_MS + 1);
    h = await h.restart();
    await h.apply.resume();
    expect(h.apply.pendingApply()).toBeUndefined();
    expect(gateway()).toBe('192.168.1.1');
    await expect(h.apply.confirm(applyId)).rejects.toThrow(
      `apply ${applyId} was rolled back at revision ${revision + 1}: its deadline passed while the agent was down`,
    );
  });

  it('brings back LOST, with its lease and MAC, an endpoint whose container went during the window', async () => {
    const was = h.host.store.getEndpoint('n', 'c2')!.spec;
    const { applyId } = await confirmed();
    h.host.driver.removeNetnsBehindBack({ name: 'c2' });
    await h.apply.cancel(applyId);
    const back = h.host.store.getEndpoint('n', 'c2')!;
    expect(back.status).toMatchObject({
      state: 'lost',
      message: 'network namespace c2 is gone; the lease is kept until the endpoint is deleted',
    });
    expect([back.spec.ipv4Address, back.spec.macAddress]).toEqual([was.ipv4Address, was.macAddress]);
    expect(h.host.store.leases('n').get(was.ipv4Address)).toBe('endpoint c2');
    expect(h.host.store.getEndpoint('n', 'c1')!.status.state).toBe('ready');
    expect(gateway()).toBe('192.168.1.1');
  });
});
