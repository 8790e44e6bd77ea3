/**
 * LinuxDriver.probeArp on this machine's kernel, in namespaces: a host whose eth0 (a veth) is plugged
 * into a router's port1, where the gateway address lives. The probe hears the router, goes silent with
 * the address gone, sends nothing but RFC 5227 probes (witnessed by a capture on the router's side),
 * leaves nothing behind, and keeps the event loop free while 50 probes run at once. (This kernel has
 * no 802.1q: a macvlan parent stands in for a stacked link.)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createChannel, createClient, createServer } from 'nice-grpc';
import { HealthDefinition, HealthServiceImpl } from 'nice-grpc-server-health';
import { KernelError, PreconditionError } from '../../agent/src/domain/errors';
import { LinuxDriver } from '../../agent/src/kernel/LinuxDriver';
import { HealthCheckResponse_ServingStatus } from '../../proto/gen/grpc/health/v1/health';
import { makeNetnsHost, type NetnsHost } from '../support/netnsHost';
import { capturePackets } from '../support/packetCapture';
import { waitFor } from '../support/waitFor';

const GATEWAY = '10.9.0.1';
const ABSENT = '10.9.0.2';
const QUICK = { tries: 2, intervalMs: 100 };
const ETH_P_ARP = 0x0806;
const DIST_DRIVER = path.join(__dirname, '../../dist/agent/src/kernel/LinuxDriver.js');

const openFds = () => fs.readdirSync('/proc/self/fd').length;
/** The netns of each thread of this process: a probe's unshare must leave none elsewhere. */
const threadNetns = () =>
  fs.readdirSync('/proc/self/task').map((tid) => fs.readlinkSync(`/proc/self/task/${tid}/ns/net`));

describe('LinuxDriver.probeArp in namespaces', () => {
  let host: NetnsHost;
  let driver: LinuxDriver;
  const routerIp = (...args: string[]) => execFileSync('ip', ['-n', host.sw, ...args], { encoding: 'utf8' });
  const linkNames = () => host.links().map((l) => `${String(l.ifname)} ${String(l.ifindex)}`);

  /** Whether eth0 carries no macvlan: only then may a passthru one be made on it. */
  const eth0CarriesNoMacvlan = () => {
    try {
      host.ip('link', 'add', 'mvtpt0', 'link', 'eth0', 'type', 'macvlan', 'mode', 'passthru');
    } catch {
      return false;
    }
    host.ip('link', 'del', 'mvtpt0');
    return true;
  };

  beforeEach(async () => {
    host = await makeNetnsHost('arp');
    routerIp('addr', 'add', `${GATEWAY}/24`, 'dev', 'port1');
    driver = new LinuxDriver({ netns: host.ns });
  });

  afterEach(async () => {
    await driver.close();
    await host.cleanup();
  });

  it('hears the gateway in the router netns, and nothing once its address is gone', async () => {
    expect(await driver.probeArp('eth0', GATEWAY, { tries: 3, intervalMs: 500 })).toBe(true);
    expect(await driver.probeArp('eth0', ABSENT, QUICK)).toBe(false);
    routerIp('addr', 'del', `${GATEWAY}/24`, 'dev', 'port1');
    expect(await driver.probeArp('eth0', GATEWAY, QUICK)).toBe(false);
  });

  it('hears the gateway through a macvlan parent (the probe lands on its lower)', async () => {
    host.ip('link', 'add', 'shim0', 'link', 'eth0', 'type', 'macvlan', 'mode', 'bridge');
    host.ip('link', 'set', 'shim0', 'up');
    expect(await driver.probeArp('shim0', GATEWAY, { tries: 3, intervalMs: 500 })).toBe(true);
  });

  it('sends RFC 5227 probes and nothing else: sender 0.0.0.0, no IPv6 of its own', async () => {
    const hostMac = (host.links().find((l) => l.ifname === 'eth0')?.address as string).toLowerCase();
    const capture = await capturePackets(host.sw, 'port1');
    // Silent for 3 s: long enough for IPv6's DAD and router solicitation, were there any.
    expect(await driver.probeArp('eth0', ABSENT, { tries: 3, intervalMs: 1000 })).toBe(false);
    expect(await driver.probeArp('eth0', GATEWAY, QUICK)).toBe(true);
    const probeFrames = () => capture.received().filter((f) => f.source !== hostMac);
    await waitFor('the capture to read the 4 probes sent', () => probeFrames().length >= 4);
    const fromProbes = (await capture.stop()).filter((f) => f.source !== hostMac);
    expect(new Set(fromProbes.map((f) => f.source)).size).toBe(2); // a fresh MAC for each probe
    for (const frame of fromProbes) {
      expect(frame).toMatchObject({ destination: 'ff:ff:ff:ff:ff:ff', etherType: ETH_P_ARP });
      const arp = frame.payload;
      expect(arp.readUInt16BE(6)).toBe(1); // a request
      expect(arp.subarray(8, 14).toString('hex').match(/../g)!.join(':')).toBe(frame.source);
      expect([...arp.subarray(14, 18)].join('.')).toBe('0.0.0.0');
      expect(arp.subarray(18, 24).equals(Buffer.alloc(6))).toBe(true);
      expect([ABSENT, GATEWAY]).toContain([...arp.subarray(24, 28)].join('.'));
    }
  });

  // A probe's namespace has no name (other test runs add and remove named ones meanwhile): its sockets
  // and the thread that made it are all that can hold it.
  it('leaves nothing behind: links, a macvlan on the parent, fds, a thread in a namespace of its own', async () => {
    await driver.probeArp('eth0', GATEWAY, QUICK); // the first probe loads koffi and opens the host socket
    const before = { links: linkNames(), fds: openFds() };
    expect(await driver.probeArp('eth0', GATEWAY, QUICK)).toBe(true);
    expect(eth0CarriesNoMacvlan()).toBe(true);
    expect(await driver.probeArp('eth0', ABSENT, QUICK)).toBe(false);
    expect(eth0CarriesNoMacvlan()).toBe(true);
    await expect(driver.probeArp('lo', GATEWAY, QUICK)).rejects.toThrow(PreconditionError);
    expect({ links: linkNames(), fds: openFds() }).toEqual(before);
    expect(new Set(threadNetns())).toEqual(new Set([fs.readlinkSync('/proc/self/ns/net')]));
  });

  it('removes what it made when the kernel refuses the macvlan (a passthru one holds the parent)', async () => {
    host.ip('link', 'add', 'pt0', 'link', 'eth0', 'type', 'macvlan', 'mode', 'passthru');
    await driver.probeArp('eth0', ABSENT, { tries: 1, intervalMs: 1 }).catch(() => undefined);
    const before = { links: linkNames(), fds: openFds() };
    const refused = await driver.probeArp('eth0', GATEWAY, QUICK).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(KernelError);
    expect((refused as Error).message).toMatch(/^cannot probe ARP for 10\.9\.0\.1 on eth0: /);
    expect({ links: linkNames(), fds: openFds() }).toEqual(before);
  });

  it('refuses a link of another namespace: only the host’s links are probed from', async () => {
    await expect(driver.probeArp('port1', GATEWAY, QUICK)).rejects.toThrow(
      new PreconditionError('cannot probe ARP for 10.9.0.1 on port1: the host has no link port1'),
    );
  });

  it('says that it needs CAP_NET_RAW when it may not open a packet socket, and leaves nothing', () => {
    const before = linkNames();
    const script = `
      const { LinuxDriver } = require(${JSON.stringify(DIST_DRIVER)});
      const driver = new LinuxDriver({ netns: ${JSON.stringify(host.ns)} });
      driver.probeArp('eth0', '${GATEWAY}', { tries: 1, intervalMs: 100 })
        .then((answered) => console.log('answered', answered), (err) => console.log(err.message))
        .finally(() => driver.close());`;
    const r = spawnSync('setpriv', ['--bounding-set=-net_raw', process.execPath, '-e', script], {
      encoding: 'utf8',
    });
    expect(r.stdout.trim()).toBe(
      'cannot probe ARP for 10.9.0.1 on eth0: an AF_PACKET socket needs CAP_NET_RAW (Operation not permitted)',
    );
    expect(linkNames()).toEqual(before);
    expect(eth0CarriesNoMacvlan()).toBe(true);
  });

  it('runs 50 probes at once to their end while gRPC health checks go on being answered', async () => {
    const server = createServer();
    server.add(HealthDefinition, HealthServiceImpl());
    const port = await server.listen('127.0.0.1:0');
    const channel = createChannel(`127.0.0.1:${port}`);
    const health = createClient(HealthDefinition, channel);
    await driver.probeArp('eth0', GATEWAY, QUICK);
    await health.check({ service: '' }); // the channel's connection is open before the fds are counted
    const fds = openFds();
    try {
      let pending = true;
      const probes = Array.from({ length: 50 }, (_, i) =>
        driver.probeArp('eth0', i % 2 ? ABSENT : GATEWAY, { tries: 2, intervalMs: 500 }),
      );
      const all = Promise.all(probes).finally(() => (pending = false));
      let answeredMeanwhile = 0;
      while (pending) {
        const { status } = await health.check({ service: '' });
        expect(status).toBe(HealthCheckResponse_ServingStatus.SERVING);
        if (pending) answeredMeanwhile++;
      }
      expect(await all).toEqual(Array.from({ length: 50 }, (_, i) => i % 2 === 0));
      expect(answeredMeanwhile).toBeGreaterThanOrEqual(10);
      await waitFor('the fds of the probes to close', () => openFds() === fds);
      expect(eth0CarriesNoMacvlan()).toBe(true);
    } finally {
      channel.close();
      await server.shutdown();
    }
  });
});
