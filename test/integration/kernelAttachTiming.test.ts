/**
 * What an endpoint attach costs with the iproute2 driver on this machine, next to the CNI macvlan
 * plugin's ADD (the peer it is measured against), in throwaway namespaces. Prints its figures; it
 * asserts only that every attach worked, since timings on a shared machine vary. Needs root.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { Iproute2Driver } from '../../agent/src/kernel/Iproute2Driver';
import { AttachEndpointOptions } from '../../agent/src/kernel/LinkDriver';
import { addNetns, addVethPair, deleteNetns } from '../../agent/src/kernel/netns';
import { uniqueNetnsName } from '../support/netnsPrefix';

const CNI_MACVLAN = '/usr/lib/cni/macvlan';

interface AttachTiming {
  hostMs: number;
  totalMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(1)} ms`;

/** One CNI macvlan ADD into `container`, its master `eth0` in `host`, with a static address; returns ms. */
function cniAdd(host: string, container: string, address: string): Promise<number> {
  const conf = {
    cniVersion: '1.0.0',
    name: 'mvbench',
    type: 'macvlan',
    master: 'eth0',
    mode: 'bridge',
    ipam: { type: 'static', addresses: [{ address, gateway: '10.1.0.1' }], routes: [{ dst: '0.0.0.0/0' }] },
  };
  const env = {
    ...process.env,
    CNI_COMMAND: 'ADD',
    CNI_CONTAINERID: container,
    CNI_NETNS: `/var/run/netns/${container}`,
    CNI_IFNAME: 'eth0',
    CNI_PATH: '/usr/lib/cni',
  };
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', [`--net=/var/run/netns/${host}`, CNI_MACVLAN], { env });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      const took = Number(process.hrtime.bigint() - start) / 1e6;
      if (code === 0) resolve(took);
      else reject(new Error(`CNI ADD failed (${code}): ${stderr}`));
    });
    child.stdin.end(JSON.stringify(conf));
  });
}

describe('the cost of an endpoint attach on this machine', () => {
  const made: string[] = [];
  const timings: AttachTiming[] = [];
  let host: string;
  let driver: Iproute2Driver;

  const freshNetns = async (tag: string) => {
    const name = uniqueNetnsName(tag);
    made.push(name);
    await addNetns(name);
    return name;
  };

  beforeAll(async () => {
    host = await freshNetns('timehost');
    await addVethPair('eth0', host, 'peer0', host);
    driver = new Iproute2Driver({
      netns: host,
      logger: {
        info: (obj) => 'totalMs' in obj && timings.push(obj as AttachTiming),
        debug: () => undefined,
        warn: () => undefined,
      },
    });
    await driver.setLinkUp('peer0'); // starts the batch process: attaches find it running, as in the agent
    await driver.setLinkUp('eth0');
  });

  afterAll(async () => {
    await driver.close();
    await Promise.all(made.map((n) => deleteNetns(n)));
  });

  const endpoint = (netns: string, i: number): AttachEndpointOptions => ({
    tmpName: `mvtmp${i}`,
    parent: 'eth0',
    mode: 'bridge',
    mac: `02:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
    alias: 'mvnet:bench',
    netns: { name: netns },
    ifname: 'eth0',
    addresses: [`10.1.${i >> 8}.${(i & 255) + 2}/16`],
    gateways: ['10.1.0.1'],
  });

  it('attaches once, then 20 times in a row, and prints host-side, container-side and total times', async () => {
    const containers = await Promise.all(Array.from({ length: 21 }, () => freshNetns('timectr')));
    const wallStart = process.hrtime.bigint();
    await driver.attachEndpoint(endpoint(containers[0], 0));
    const oneWall = Number(process.hrtime.bigint() - wallStart) / 1e6;
    const [one] = timings;
    console.log(
      `one attach: host side ${ms(one.hostMs)}, container side ${ms(one.totalMs - one.hostMs)}, ` +
        `total ${ms(one.totalMs)} (${ms(oneWall)} through the driver call)`,
    );
    const seqStart = process.hrtime.bigint();
    for (let i = 1; i <= 20; i++) await driver.attachEndpoint(endpoint(containers[i], i));
    const seqMs = Number(process.hrtime.bigint() - seqStart) / 1e6;
    const seq = timings.slice(1);
    console.log(
      `20 sequential attaches: ${ms(seqMs)} in all, ${ms(seqMs / 20)} each; median host side ` +
        `${ms(median(seq.map((t) => t.hostMs)))}, container side ${ms(median(seq.map((t) => t.totalMs - t.hostMs)))}`,
    );
    for (const c of containers)
      expect((await driver.inspectEndpoint({ name: c }, 'eth0')).link).toBeDefined();
  });

  const cniIt = fs.existsSync(CNI_MACVLAN) ? it : it.skip;
  cniIt('prints what a CNI macvlan ADD costs, for comparison', async () => {
    const containers = await Promise.all(Array.from({ length: 10 }, () => freshNetns('cnictr')));
    const took: number[] = [];
    for (const [i, c] of containers.entries()) took.push(await cniAdd(host, c, `10.1.100.${i + 2}/16`));
    console.log(
      `CNI macvlan ADD (nsenter + plugin + static IPAM): median ${ms(median(took))} of ${took.length}`,
    );
  });
});
