/**
 * The two plugins the CNI parity scenarios (test/integration/cniParity.test.ts) run side by side,
 * each on a host of its own: a host netns whose eth0 is a veth into a switch netns holding the
 * physical network's gateways (test/support/switchedHosts.ts), containers as named netns.
 *
 * - `macvlan`: Debian's CNI macvlan plugin (containernetworking-plugins 1.1.1, spec ≤ 1.0.0), run in
 *   the host netns as a runtime runs it, the scenario's mode/MTU/master in its config and its
 *   addresses through the `static` IPAM plugin.
 * - `mvnet-cni`: ours, talking to a real agent that manages the host netns over a unix socket; the
 *   scenario's mode/MTU/parent belong to an mvnet network created through the SDK beforehand, and its
 *   addresses are asked for in runtimeConfig.ips.
 *
 * A side turns one scenario's network (ParityNetwork) into a CNI config, and says which CNI error
 * codes it gives where the spec leaves the choice to the plugin.
 */
import { makeSwitchedHosts, type SwitchedHosts } from './switchedHosts';
import { CniRuntime, type CniAttachment, type CniConfig } from './cniRuntime';

export type MacvlanModeName = 'bridge' | 'private' | 'vepa' | 'passthru';

/** The switch's gateways (switchedHosts.ts): the default routes of the scenarios' containers. */
export const GATEWAY4 = '192.168.0.1';
export const GATEWAY6 = 'fd00::1';

/** What one scenario asks of the network and of its ADD. */
export interface ParityNetwork {
  mode: MacvlanModeName;
  /** The endpoints' MTU; undefined: the parent's. */
  mtu?: number;
  /** The master (parent) link in the host netns; default eth0. */
  parent?: string;
  /** Static addresses (`ip/prefix`) in 192.168.0.0/24 and fd00::/64; [] asks for none. */
  addresses: string[];
  /** The families the network has (mvnet's subnets); default: those of `addresses`, else IPv4. */
  families?: (4 | 6)[];
  /** A MAC in the config's runtimeConfig (capability `mac`). */
  runtimeMac?: string;
}

/** A refusal, wherever it came: a CNI error from ADD, or the agent's API refusing the network. */
export interface Refusal {
  at: 'ADD' | 'network';
  code: number;
  message: string;
}

/** One plugin on its own host; see the top of this file. */
export interface ParitySide {
  label: string;
  runtime: CniRuntime;
  lab: SwitchedHosts;
  /** The host netns. */
  host: string;
  /** The CNI error code for an ADD into a netns that does not exist. */
  missingNetnsCode: number;
  /** The CNI error (code and message) for an ADD whose master, eth1 (the network's parent), is gone. */
  missingMaster: { code: number; msg: RegExp };
  /** The CNI error code for a CHECK that finds the attachment not as ADD left it. */
  checkFailedCode: number;
  /** Prepares the scenario's network; returns the config a runtime would hand the plugin. */
  network(spec: ParityNetwork): Promise<CniConfig>;
  /** Prepares the network and ADDs; the refusal, or undefined when the ADD succeeded. */
  refusal(spec: ParityNetwork, attachment: CniAttachment): Promise<Refusal | undefined>;
  /** Removes what network() made (nothing to remove for a config-only plugin). */
  dropNetworks(): Promise<void>;
  close(): Promise<void>;
}

/** The families of a network: those given, else those of its addresses, else IPv4. */
export function familiesOf(spec: ParityNetwork): (4 | 6)[] {
  if (spec.families) return spec.families;
  const fams = new Set(spec.addresses.map((a) => (a.includes(':') ? 6 : 4)));
  return fams.size ? [...fams].sort() : [4];
}

/** Debian's CNI macvlan plugin, its addresses from the static IPAM plugin. */
export async function makeReferenceSide(plugin = '/usr/lib/cni/macvlan'): Promise<ParitySide> {
  const lab = await makeSwitchedHosts('cnirf', 1);
  const host = lab.hosts[0];
  const runtime = new CniRuntime({ plugin, hostNetns: host });
  const network = (spec: ParityNetwork): Promise<CniConfig> => {
    const ipam = spec.addresses.length
      ? {
          type: 'static',
          addresses: spec.addresses.map((address) => ({
            address,
            gateway: address.includes(':') ? GATEWAY6 : GATEWAY4,
          })),
          routes: familiesOf(spec).map((f) => ({ dst: f === 4 ? '0.0.0.0/0' : '::/0' })),
        }
      : {};
    const config: CniConfig = {
      cniVersion: '1.0.0',
      name: 'paritynet',
      type: 'macvlan',
      master: spec.parent ?? 'eth0',
      mode: spec.mode,
      ipam,
    };
    if (spec.mtu !== undefined) config.mtu = spec.mtu;
    if (spec.runtimeMac) {
      config.capabilities = { mac: true };
      config.runtimeConfig = { mac: spec.runtimeMac };
    }
    return Promise.resolve(config);
  };
  return {
    label: 'macvlan',
    runtime,
    lab,
    host,
    // The Go skeleton wraps every plain error as 999 ("internal"); the plugin has none of its own.
    missingNetnsCode: 999,
    // Its message is netlink's own, which names no link.
    missingMaster: { code: 999, msg: /^Link not found$/ },
    checkFailedCode: 999,
    network,
    refusal: async (spec, attachment) => {
      const out = await runtime.add(await network(spec), attachment);
      if (out.exitCode === 0) return undefined;
      return { at: 'ADD', code: out.error?.code ?? -1, message: out.error?.msg ?? out.stderr };
    },
    dropNetworks: () => Promise.resolve(),
    close: () => lab.cleanup(),
  };
}
