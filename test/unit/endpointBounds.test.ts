import { ExhaustedError, InvalidSpecError } from '../../agent/src/domain/errors';
import { MAX_ENDPOINTS_PER_HOST } from '../../agent/src/domain/limits';
import type { EndpointRecord } from '../../agent/src/domain/model';
import type { EndpointInput } from '../../agent/src/domain/normalizeEndpoint';
import { endpointInput, makeMemoryHost, networkInput, type MemoryHost } from '../support/memoryHost';

/** `n` endpoints of network mvnet written straight into the state (10.0.x.y), as if attached earlier. */
function seedEndpoints(host: MemoryHost, n: number): void {
  host.store.transact((tx) => {
    for (let i = 0; i < n; i++) {
      const record: EndpointRecord = {
        spec: {
          name: `e${i}`,
          network: 'mvnet',
          netns: `s${i}`,
          netnsRef: { name: `s${i}` },
          labels: {},
          ifname: 'eth0',
          ipv4Address: `10.0.${(i + 2) >> 8}.${(i + 2) & 255}`,
          ipv6Address: '',
          macAddress: '02:00:00:00:00:01',
        },
        status: { state: 'ready', message: '', revision: 0 },
      };
      tx.putEndpoint(record, 'ADDED');
    }
  });
}

describe('endpoint bounds and refusals', () => {
  let host: MemoryHost;

  beforeEach(async () => {
    host = await makeMemoryHost();
    for (const name of ['c1', 'c2', 'c3']) host.driver.addNetnsBehindBack({ name });
    const subnets = [{ cidr: '10.0.0.0/16', gateway: '10.0.0.1', ipRange: '', auxAddresses: {} }];
    await host.networks.createNetwork(networkInput({ name: 'mvnet', parent: 'eth0', subnets }));
  });
  afterEach(() => host.close());

  /** A refused creation: nothing changed in the state or the kernel. */
  async function refusal(run: () => Promise<unknown>): Promise<Error> {
    const revision = host.store.revision();
    const count = host.store.countEndpoints();
    const changes = host.driver.changes.length;
    const err = await run().then(
      () => new Error('expected a refusal'),
      (e: Error) => e,
    );
    expect(host.store.revision()).toBe(revision);
    expect(host.store.countEndpoints()).toBe(count);
    expect(host.driver.changes.length).toBe(changes);
    return err;
  }

  it(`keeps at most ${MAX_ENDPOINTS_PER_HOST} endpoints on a host, and still answers a retry`, async () => {
    seedEndpoints(host, MAX_ENDPOINTS_PER_HOST - 1);
    const last = await host.endpoints.createEndpoint(endpointInput({ netns: 'c1' }));
    const err = await refusal(() => host.endpoints.createEndpoint(endpointInput({ netns: 'c2' })));
    expect(err).toBeInstanceOf(ExhaustedError);
    expect(err.message).toMatch(/^endpoint: this host has 1024 endpoints/);
    expect((await host.endpoints.createEndpoint(endpointInput({ netns: 'c1' }))).endpoint).toEqual(
      last.endpoint,
    );
  });

  it('counts the endpoints being created toward the bound', async () => {
    seedEndpoints(host, MAX_ENDPOINTS_PER_HOST - 1);
    const outcomes = await Promise.allSettled(
      ['c1', 'c2'].map((netns) => host.endpoints.createEndpoint(endpointInput({ netns }))),
    );
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(ExhaustedError);
    expect(host.store.countEndpoints()).toBe(MAX_ENDPOINTS_PER_HOST);
  });

  it.each([
    ['a NUL in the name', { name: 'c\u0000' }, 'endpoint.name'],
    ['a bell in the interface name', { ifname: 'eth\u0007' }, 'endpoint.ifname'],
    ['an escape in the MAC', { macAddress: '02:42:0a:01:00:0\u001b' }, 'endpoint.mac_address'],
    ['a megabyte of IPv4 address', { ipv4Address: '1'.repeat(1 << 20) }, 'endpoint.ipv4_address'],
    ['a newline in the netns', { netns: 'c1\nc2' }, 'endpoint.netns'],
  ] as [string, Partial<EndpointInput>, string][])(
    'refuses %s, naming the field',
    async (_what, overrides, field) => {
      const err = await refusal(() => host.endpoints.createEndpoint(endpointInput(overrides)));
      expect(err).toBeInstanceOf(InvalidSpecError);
      expect((err as InvalidSpecError).field).toBe(field);
      expect(err.message).not.toMatch(/[\p{Cc}]/u);
      expect(err.message.length).toBeLessThan(300);
    },
  );

  it.each([
    ['get', () => host.endpoints.getEndpoint('mvnet', 'x\u0000'), 'name'],
    ['delete', () => host.endpoints.deleteEndpoint('n\u0001', 'x'), 'network'],
    ['list', () => host.endpoints.listEndpoints('-'.repeat(5000)), 'network'],
  ])('%s refuses a name that is no name', async (_op, run, field) => {
    const err = await refusal(run);
    expect(err).toBeInstanceOf(InvalidSpecError);
    expect((err as InvalidSpecError).field).toBe(field);
    expect(err.message.length).toBeLessThan(300);
  });

  it('reports the failed attach, not a failure of the look that follows it', async () => {
    host.driver.failNext('attachEndpoint', 'Error: the attach itself failed');
    host.driver.failNext('inspectEndpoint', 'Error: the look after it failed');
    const err = await refusal(() => host.endpoints.createEndpoint(endpointInput()));
    expect(err.message).toContain('the attach itself failed');
    expect(err.message).not.toContain('the look after it failed');
  });
});
