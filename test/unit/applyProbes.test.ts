/**
 * The probes of a commit-confirmed Apply, on the in-memory kernel: only those that passed before the
 * change must pass after it, plus, with probe_gateways, every gateway of the spec; one that fails rolls
 * the change back at once (ABORTED, no apply_id). The in-memory kernel's ARP model stands for the
 * switch: a gateway answers on the links the test says it does (answerArp), and a spy that calls
 * through records which probes ran.
 */
import { ApplyAbortedError } from '../../agent/src/domain/errors';
import { ep, makeApplyHost, net, request, spec, type ApplyHost } from '../support/applyHost';

const WINDOW_MS = 600_000;
const onVlan = (vlan: number, extra: ReturnType<typeof net>[] = []) =>
  spec([net('n', 1, { parent: `eth0.${vlan}` }), ...extra], [ep('c1', 'n')]);

describe('the probes of an Apply with confirm_within', () => {
  let h: ApplyHost;
  /** `link address` of each probe run. */
  let probed: string[];

  beforeEach(async () => {
    h = await makeApplyHost(['c1']);
    probed = [];
    const { driver } = h.host;
    const probe = driver.probeArp.bind(driver);
    jest.spyOn(driver, 'probeArp').mockImplementation((link, address, options) => {
      probed.push(`${link} ${address}`);
      return probe(link, address, options);
    });
    await h.apply.apply(request(onVlan(10)));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    h.close();
  });

  const confirmed = (s: ReturnType<typeof spec>, probeGateways = false) =>
    h.apply.apply(request(s, { confirmWithinMs: WINDOW_MS, probeGateways }));
  const answer = (link: string, address: string) => h.host.driver.answerArp(link, address);
  const parentOf = (name: string) => h.host.store.getNetwork(name)?.spec.parent;

  /** Runs an Apply that must be rolled back by a probe; returns its id, read from the error. */
  async function abortedByProbe(run: () => Promise<unknown>, probe: string): Promise<string> {
    const revision = h.host.store.revision();
    const err = await run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplyAbortedError);
    const message = (err as Error).message;
    expect(message).toMatch(
      new RegExp(
        `^apply [0-9a-f]{16}: probe failed after the change: ${probe} \\(.*\\); rolled back at revision ${revision + 2}$`,
      ),
    );
    expect(h.apply.pendingApply()).toBeUndefined();
    expect(h.host.store.revision()).toBe(revision + 2);
    return message.slice('apply '.length, 'apply '.length + 16);
  }

  it('probes nothing without confirm_within', async () => {
    answer('eth0.10', '192.168.1.1');
    await h.apply.apply(request(onVlan(20)));
    expect(probed).toEqual([]);
    expect(parentOf('n')).toBe('eth0.20');
  });

  it('rolls back at once a change after which a gateway that answered before does not', async () => {
    answer('eth0.10', '192.168.1.1'); // the switch carries VLAN 10, not VLAN 20
    const applyId = await abortedByProbe(
      () => confirmed(onVlan(20)),
      'gateway 192.168.1.1 of network n answers ARP',
    );
    expect(probed).toEqual(['eth0.10 192.168.1.1', 'eth0.20 192.168.1.1']);
    expect(parentOf('n')).toBe('eth0.10');
    expect(await h.host.driver.getLink('eth0.20')).toBeUndefined();
    expect((await h.host.driver.getLink('eth0.10'))?.operState).toBe('UP');
    expect((await h.host.driver.inspectEndpoint({ name: 'c1' }, 'eth0')).link?.alias).toBe('mvnet:n/c1');
    await expect(h.apply.confirm(applyId)).rejects.toThrow(
      `apply ${applyId} was rolled back at revision 3: probe failed after the change: gateway 192.168.1.1 of network n answers ARP (it passed before the change)`,
    );
  });

  it('keeps the change when the gateway answers after it too', async () => {
    answer('eth0.10', '192.168.1.1');
    answer('eth0.20', '192.168.1.1');
    const { applyId } = await confirmed(onVlan(20));
    expect(h.apply.pendingApply()?.applyId).toBe(applyId);
    expect(parentOf('n')).toBe('eth0.20');
  });

  it('does not require after the change a probe that failed before it', async () => {
    // No gateway answers anywhere (a network whose gateway does not do ARP): the change goes through.
    const { applyId } = await confirmed(onVlan(20));
    expect(applyId).toMatch(/^[0-9a-f]{16}$/);
    expect(probed).toEqual(['eth0.10 192.168.1.1']); // not probed after: nothing requires it
    expect(parentOf('n')).toBe('eth0.20');
  });

  it('with probe_gateways, requires every gateway of the spec, a new network’s included', async () => {
    answer('eth0.10', '192.168.1.1');
    const withNew = onVlan(10, [net('m', 2, { parent: 'eth0.30' })]);
    await abortedByProbe(() => confirmed(withNew, true), 'gateway 192.168.2.1 of network m answers ARP');
    expect(parentOf('m')).toBeUndefined();
    expect(await h.host.driver.getLink('eth0.30')).toBeUndefined();
    // Once the switch carries VLAN 30, the same Apply stays.
    answer('eth0.30', '192.168.2.1');
    const { applyId } = await confirmed(withNew, true);
    expect(h.apply.pendingApply()?.applyId).toBe(applyId);
    expect(parentOf('m')).toBe('eth0.30');
  });

  it('with probe_gateways, also requires a gateway that did not answer before the change', async () => {
    await abortedByProbe(() => confirmed(onVlan(20), true), 'gateway 192.168.1.1 of network n answers ARP');
    expect(parentOf('n')).toBe('eth0.10');
  });
});
