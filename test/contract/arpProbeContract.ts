/**
 * The ARP probe part of the LinkDriver contract (LinkDriver.probeArp, the commit-confirmed Apply's
 * gateway probe): it hears a station on the parent's wire, and nothing where there is none or the link
 * is down; it refuses a link it cannot probe from, and hostile values, with the same words on both
 * kernels; and it leaves the host's links as they were.
 */
import type { LinkDriver } from '../../agent/src/domain/ports/LinkDriver';
import {
  kernelErrorOf,
  LinkDriverFixture,
  preconditionErrorOf,
  useFreshFixture,
  WireFixture,
} from './contractSupport';

const GATEWAY = '10.77.0.1';
const ABSENT = '10.77.0.2';
/** Short, so that a silent probe ends quickly (100 ms); an answer ends it at once. */
const QUICK = { tries: 2, intervalMs: 50 };

/** Declares the ARP probe cases of the contract for the driver `makeDriver` builds. */
export function describeArpProbeContract(name: string, makeDriver: () => Promise<LinkDriverFixture>): void {
  describe(`${name}: the LinkDriver contract for ARP probes`, () => {
    const fixture = useFreshFixture(makeDriver);
    let driver: LinkDriver;
    let parent: string;
    let wire: WireFixture;

    beforeEach(() => {
      ({ driver, parent, wire } = fixture());
    });

    it('hears a gateway that answers on the parent, and nothing once it is silent', async () => {
      await wire.answerArp(GATEWAY);
      expect(await driver.probeArp(parent, GATEWAY, { tries: 3, intervalMs: 200 })).toBe(true);
      await wire.stopAnsweringArp(GATEWAY);
      expect(await driver.probeArp(parent, GATEWAY, QUICK)).toBe(false);
    });

    it('hears nothing for an address nobody holds', async () => {
      await wire.answerArp(GATEWAY);
      expect(await driver.probeArp(parent, ABSENT, QUICK)).toBe(false);
    });

    it('hears nothing through a parent that is down', async () => {
      await wire.answerArp(GATEWAY);
      await wire.setParentDown();
      expect(await driver.probeArp(parent, GATEWAY, QUICK)).toBe(false);
    });

    it('leaves the host with the links it had', async () => {
      await wire.answerArp(GATEWAY);
      const before = await driver.listLinks();
      await driver.probeArp(parent, GATEWAY, QUICK);
      await driver.probeArp(parent, ABSENT, QUICK);
      expect(await driver.listLinks()).toEqual(before);
    });

    it('refuses a link the host does not have', async () => {
      const err = await preconditionErrorOf(driver.probeArp('nope0', GATEWAY, QUICK));
      expect(err.message).toBe(`cannot probe ARP for ${GATEWAY} on nope0: the host has no link nope0`);
    });

    it('refuses a link that is not Ethernet', async () => {
      const lo = await wire.nonEthernetLink();
      const err = await preconditionErrorOf(driver.probeArp(lo, GATEWAY, QUICK));
      expect(err.message).toBe(
        `cannot probe ARP for ${GATEWAY} on ${lo}: link ${lo} is not Ethernet (loopback): it has no ARP`,
      );
    });

    it('refuses an address that is not a unicast IPv4 address, naming it', async () => {
      const refusals: [string, string][] = [
        ['fd00::1', 'address "fd00::1" is not an IPv4 address'],
        ['10.77.1', 'address "10.77.1" is not an IPv4 address'],
        ['10.77.0.1\n', 'address "10.77.0.1\\n" is not an IPv4 address'],
        ['', 'address "" is not an IPv4 address'],
      ];
      for (const [address, problem] of refusals) {
        const err = await kernelErrorOf(driver.probeArp(parent, address, QUICK));
        expect(err.message).toBe(`cannot probe ARP on ${parent}: ${problem}`);
      }
      for (const [address, range] of [
        ['0.0.0.0', 'unspecified'],
        ['255.255.255.255', 'broadcast'],
        ['224.0.0.1', 'multicast'],
        ['127.0.0.1', 'loopback'],
      ]) {
        const err = await kernelErrorOf(driver.probeArp(parent, address, QUICK));
        expect(err.message).toBe(
          `cannot probe ARP for ${address} on ${parent}: address ${address} is ${range}, not a host's`,
        );
      }
    });

    it('refuses a link name the kernel would not take, naming it', async () => {
      for (const link of ['eth0/1', 'mvnet-sixteen-bx', '', 'eth 0']) {
        const err = await kernelErrorOf(driver.probeArp(link, GATEWAY, QUICK));
        expect(err.message).toBe(
          `cannot probe ARP: argument ${JSON.stringify(link)} is wrong: "link" not a valid ifname`,
        );
      }
    });

    it('refuses tries and intervals outside their bounds', async () => {
      const action = `cannot probe ARP for ${GATEWAY} on ${parent}`;
      for (const tries of [0, 11, 1.5, Number.NaN]) {
        const err = await kernelErrorOf(driver.probeArp(parent, GATEWAY, { tries, intervalMs: 50 }));
        expect(err.message).toBe(`${action}: tries ${tries} is outside 1..10`);
      }
      for (const intervalMs of [0, 10_001, -5]) {
        const err = await kernelErrorOf(driver.probeArp(parent, GATEWAY, { tries: 1, intervalMs }));
        expect(err.message).toBe(`${action}: intervalMs ${intervalMs} is outside 1..10000`);
      }
      expect(await driver.probeArp(parent, GATEWAY, { tries: 1, intervalMs: 1 })).toBe(false);
    });
  });
}
