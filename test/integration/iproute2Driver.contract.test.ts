/**
 * The LinkDriver contract against the real kernel: each test gets a fresh netns holding a veth pair
 * whose end `eth0` is the parent (as the CNI plugins' tests do). Needs root.
 */
import { Iproute2Driver } from '../../agent/src/kernel/Iproute2Driver';
import { KernelCapabilities } from '../../agent/src/kernel/LinkDriver';
import { addNetns, addVethPair, deleteNetns, runIn } from '../../agent/src/kernel/netns';
import { describeLinkDriverContract, LinkDriverFixture } from '../contract/linkDriverContract';
import { uniqueNetnsName } from '../support/netnsPrefix';

let probed: Promise<KernelCapabilities> | undefined;

/** The kernel's capabilities, probed once; the contract checks createVlan/createDummy agree with them. */
function kernelCapabilities(): Promise<KernelCapabilities> {
  probed ??= new Iproute2Driver().probeCapabilities();
  return probed;
}

async function netnsHost(): Promise<LinkDriverFixture> {
  const netns = uniqueNetnsName('contract');
  await addNetns(netns);
  const driver = new Iproute2Driver({ netns });
  const cleanup = () => deleteNetns(netns);
  try {
    await addVethPair('eth0', netns, 'peer0', netns);
    // Both ends up, so that eth0 has a carrier and the links stacked on it can come UP.
    await driver.setLinkUp('peer0');
    await driver.setLinkUp('eth0');
    return { driver, parent: 'eth0', capabilities: await kernelCapabilities(), cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

describeLinkDriverContract('Iproute2Driver in a throwaway netns', netnsHost);

describe('Iproute2Driver on kernel quirks', () => {
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
    await new Iproute2Driver({ netns: host }).createMacvlan({
      name: 'mv0',
      parent: 'eth0',
      mode: 'bridge',
      alias: 'mvnet:a',
    });
    await runIn(host, ['ip', 'link', 'set', 'dev', 'mv0', 'netns', container]);
    const moved = await new Iproute2Driver({ netns: container }).getLink('mv0');
    expect(moved).toMatchObject({ kind: 'macvlan', macvlanMode: 'bridge', alias: 'mvnet:a' });
    expect(moved?.parent).toBeUndefined();
  });

  it('fails with a KernelError naming the namespace when the netns does not exist', async () => {
    const driver = new Iproute2Driver({ netns: uniqueNetnsName('absent') });
    await expect(driver.listLinks()).rejects.toThrow(/^cannot list links: Cannot open network namespace/);
  });
});
