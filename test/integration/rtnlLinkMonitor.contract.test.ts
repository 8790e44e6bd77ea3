/**
 * The LinkChangeSource contract against the real kernel: each test gets a throwaway host netns whose
 * `eth0` is plugged into a "switch" netns (so it has a carrier), watched by RtnlLinkMonitor and changed
 * by hand with `ip`. Needs root.
 */
import type { NetnsRef } from '../../agent/src/domain/ports/LinkDriver';
import { LinuxDriver } from '../../agent/src/kernel/LinuxDriver';
import { kernelErrorFrom, runCommand } from '../../agent/src/kernel/iproute2/runCommand';
import { RtnlLinkMonitor } from '../../agent/src/kernel/netlink/RtnlLinkMonitor';
import { addNetns, deleteNetns } from '../../tools/netns';
import { describeLinkChangeContract, type LinkChangeFixture } from '../contract/linkChangeContract';
import { makeNetnsHost } from '../support/netnsHost';
import { uniqueNetnsName } from '../support/netnsPrefix';

/** Runs `ip ARGS`; throws on failure. */
async function ip(...args: string[]): Promise<void> {
  const r = await runCommand(['ip', ...args]);
  if (r.exitCode !== 0) throw kernelErrorFrom(`run ip ${args.join(' ')}`, r);
}

/** The container namespaces of these tests are named ones. */
const nameOf = (netns: NetnsRef) => {
  if (!('name' in netns)) throw new Error('the containers of this suite are named netns');
  return netns.name;
};

async function netnsHost(): Promise<LinkChangeFixture> {
  const host = await makeNetnsHost('changes');
  const containers: string[] = [];
  return {
    openSource: () => new RtnlLinkMonitor({ netns: host.ns }),
    driver: new LinuxDriver({ netns: host.ns }),
    parent: 'eth0',
    byHand: {
      // Made from the host into the container, as a container runtime would: the lower stays on the host.
      addLink: (name, netns) =>
        ip(
          '-n',
          host.ns,
          'link',
          'add',
          'link',
          'eth0',
          'name',
          name,
          ...(netns ? ['netns', nameOf(netns)] : []),
          'type',
          'macvlan',
          'mode',
          'bridge',
        ),
      deleteLink: (name, netns) => ip('-n', netns ? nameOf(netns) : host.ns, 'link', 'del', name),
      setLinkDown: (name) => ip('-n', host.ns, 'link', 'set', name, 'down'),
      addNetns: async () => {
        const name = uniqueNetnsName('ctr');
        containers.push(name);
        await addNetns(name);
        return { name };
      },
      removeNetns: (netns) => deleteNetns(nameOf(netns)),
    },
    cleanup: async () => {
      for (const name of containers) await deleteNetns(name);
      await host.cleanup();
    },
  };
}

describeLinkChangeContract('RtnlLinkMonitor in a throwaway netns', netnsHost);
