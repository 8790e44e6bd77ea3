/**
 * The LinkDriver contract against the real kernel: each test gets a fresh netns holding a veth pair
 * whose end `eth0` is the parent (as the CNI plugins' tests do). Needs root.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { LinuxDriver } from '../../agent/src/kernel/LinuxDriver';
import { KernelCapabilities, NetnsRef } from '../../agent/src/domain/ports/LinkDriver';
import { addNetns, addVethPair, deleteNetns, runIn } from '../../tools/netns';
import { resolveNetns } from '../../agent/src/kernel/resolveNetns';
import { addressesOf, parseLinks } from '../../agent/src/kernel/iproute2/parseLinks';
import { kernelErrorFrom, runCommand } from '../../agent/src/kernel/iproute2/runCommand';
import {
  ContainerFixture,
  describeLinkDriverContract,
  LinkDriverFixture,
  WireFixture,
} from '../contract/linkDriverContract';
import { uniqueNetnsName } from '../support/netnsPrefix';

let probed: Promise<KernelCapabilities> | undefined;

/** The kernel's capabilities, probed once; the contract checks createVlan/createDummy agree with them. */
function kernelCapabilities(): Promise<KernelCapabilities> {
  probed ??= new LinuxDriver().probeCapabilities();
  return probed;
}

/** Runs `ip ARGS` through `ipArgv` (ip -n NS, or nsenter ... ip); returns stdout, throws on failure. */
async function ip(ipArgv: readonly string[], ...args: string[]): Promise<string> {
  const r = await runCommand([...ipArgv, ...args]);
  if (r.exitCode !== 0) throw kernelErrorFrom(`run ip ${args.join(' ')}`, r);
  return r.stdout;
}

interface IpRouteJson {
  dst: string;
  gateway?: string;
  dev: string;
  protocol?: string;
}

/** A process alone in a fresh netns (`unshare -n` execs sleep: same pid), once it has left ours. */
async function startProcessInFreshNetns(): Promise<{ pid: number; stop: () => void }> {
  const child = spawn('unshare', ['-n', 'sleep', '120'], { stdio: 'ignore' });
  const pid = child.pid!;
  const ours = fs.readlinkSync('/proc/self/ns/net');
  const deadline = Date.now() + 3000;
  while (fs.readlinkSync(`/proc/${pid}/ns/net`) === ours && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
  }
  return { pid, stop: () => child.kill('SIGKILL') };
}

/** Containers as throwaway named namespaces and unshared processes, read with ip outside the driver. */
function netnsContainers(hostNetns: string, cleanups: (() => Promise<void> | void)[]): ContainerFixture {
  const ipIn = (netns: NetnsRef = { name: hostNetns }) => {
    if ('path' in netns) throw new Error('the contract names containers by name or pid');
    return 'name' in netns ? ['ip', '-n', netns.name] : ['nsenter', `--net=${resolveNetns(netns)}`, 'ip'];
  };
  return {
    addNamed: async () => {
      const name = uniqueNetnsName('ctr');
      await addNetns(name);
      cleanups.push(() => deleteNetns(name));
      return { name };
    },
    addByPid: async () => {
      const { pid, stop } = await startProcessInFreshNetns();
      cleanups.push(stop);
      return { pid };
    },
    recreate: async ({ name }) => {
      await deleteNetns(name);
      await addNetns(name);
    },
    missing: () => ({ name: uniqueNetnsName('absent') }),
    addNotANetns: async (kind) => {
      const name = uniqueNetnsName('notns');
      const file = `/var/run/netns/${name}`;
      cleanups.push(() => fs.rmSync(file, { force: true }));
      if (kind === 'fifo') execFileSync('mkfifo', [file]);
      else if (kind === 'device')
        execFileSync('mknod', [file, 'c', '1', '3']); // as /dev/null
      else if (kind === 'regular file') fs.writeFileSync(file, 'not a namespace\n');
      else {
        const target = uniqueNetnsName('target');
        await addNetns(target);
        cleanups.push(() => deleteNetns(target));
        fs.symlinkSync(`/var/run/netns/${target}`, file);
      }
      return { name };
    },
    hostPid: () => ({ pid: process.pid }),
    addForeignLink: async (netns, name) => {
      await ip(ipIn(netns), 'link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}peer`);
    },
    routes: async (netns) => {
      const routes = [
        ...(JSON.parse(await ip(ipIn(netns), '-j', 'route', 'show')) as IpRouteJson[]),
        ...(JSON.parse(await ip(ipIn(netns), '-j', '-6', 'route', 'show')) as IpRouteJson[]),
      ];
      return routes
        .filter((r) => r.protocol !== 'kernel')
        .map((r) => `${r.dst}${r.gateway ? ` via ${r.gateway}` : ''} dev ${r.dev}`)
        .sort();
    },
    hostAddresses: async (name) => {
      const links = parseLinks(await ip(ipIn(), '-j', 'addr', 'show', 'dev', name));
      return links.flatMap(addressesOf).sort();
    },
  };
}

/** eth0's wire: its veth peer, peer0, in the same netns; the host's own stack answers ARP there. */
function vethWire(netns: string): WireFixture {
  const ipHost = (...args: string[]) => ip(['ip', '-n', netns], ...args);
  return {
    answerArp: async (address) => void (await ipHost('addr', 'add', `${address}/32`, 'dev', 'peer0')),
    stopAnsweringArp: async (address) => void (await ipHost('addr', 'del', `${address}/32`, 'dev', 'peer0')),
    setParentDown: async () => void (await ipHost('link', 'set', 'eth0', 'down')),
    nonEthernetLink: async () => 'lo',
  };
}

async function netnsHost(): Promise<LinkDriverFixture> {
  const netns = uniqueNetnsName('contract');
  await addNetns(netns);
  const driver = new LinuxDriver({ netns });
  const cleanups: (() => Promise<void> | void)[] = [() => deleteNetns(netns)];
  const cleanup = async () => {
    for (const step of cleanups.splice(0).reverse()) await step();
  };
  try {
    await addVethPair('eth0', netns, 'peer0', netns);
    // Both ends up, so that eth0 has a carrier and the links stacked on it can come UP.
    await driver.setLinkUp('peer0');
    await driver.setLinkUp('eth0');
    const containers = netnsContainers(netns, cleanups);
    const capabilities = await kernelCapabilities();
    return { driver, parent: 'eth0', capabilities, containers, wire: vethWire(netns), cleanup };
  } catch (err) {
    await driver.close();
    await cleanup();
    throw err;
  }
}

describeLinkDriverContract('LinuxDriver in a throwaway netns', netnsHost);

describe('LinuxDriver on kernel quirks', () => {
  const names: string[] = [];
  const freshNetns = async (tag: string) => {
    const name = uniqueNetnsName(tag);
    names.push(name);
    await addNetns(name);
    return name;
  };

  afterEach(async () => {
    await Promise.all(names.splice(0).map((n) => deleteNetns(n)));
  });

  it('reads a macvlan whose lower sits in another namespace without a parent', async () => {
    const host = await freshNetns('host');
    const container = await freshNetns('ctr');
    await addVethPair('eth0', host, 'peer0', host);
    const onHost = new LinuxDriver({ netns: host });
    await onHost.createMacvlan({ name: 'mv0', parent: 'eth0', mode: 'bridge', alias: 'mvnet:a' });
    await onHost.close();
    await runIn(host, ['ip', 'link', 'set', 'dev', 'mv0', 'netns', container]);
    const inContainer = new LinuxDriver({ netns: container });
    const moved = await inContainer.getLink('mv0');
    await inContainer.close();
    expect(moved).toMatchObject({ kind: 'macvlan', macvlanMode: 'bridge', alias: 'mvnet:a' });
    expect(moved?.parent).toBeUndefined();
  });

  it('fails with a KernelError naming the namespace when the netns does not exist', async () => {
    const driver = new LinuxDriver({ netns: uniqueNetnsName('absent') });
    await expect(driver.listLinks()).rejects.toThrow(/^cannot list links: Cannot open network namespace/);
    await driver.close();
  });
});
