/**
 * mvnet-cni's side of the CNI parity scenarios (test/support/cniParitySides.ts): a real agent managing
 * the host netns, listening on a unix socket in a temp dir (the config's `agent`), and mvnet-cni
 * installed in a CNI_PATH of its own. Each scenario's mode, MTU and parent make an mvnet network through
 * the SDK; its addresses and MAC go in the config's runtimeConfig, as a runtime with the `ips` and
 * `mac` capabilities writes them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentClient, MacvlanMode, MvnetError, type Subnet } from '../../client/src';
import { spawnAgent } from './agentProcess';
import { installMvnetCni } from './cniPlugin';
import { CniRuntime, type CniConfig } from './cniRuntime';
import { familiesOf, GATEWAY4, GATEWAY6, type ParityNetwork, type ParitySide } from './cniParitySides';
import { makeSwitchedHosts } from './switchedHosts';

const MODES: Record<ParityNetwork['mode'], MacvlanMode> = {
  bridge: MacvlanMode.MACVLAN_MODE_BRIDGE,
  private: MacvlanMode.MACVLAN_MODE_PRIVATE,
  vepa: MacvlanMode.MACVLAN_MODE_VEPA,
  passthru: MacvlanMode.MACVLAN_MODE_PASSTHRU,
};

const SUBNETS: Record<4 | 6, Subnet> = {
  4: { cidr: '192.168.0.0/24', gateway: GATEWAY4, ipRange: '', auxAddresses: {} },
  6: { cidr: 'fd00::/64', gateway: GATEWAY6, ipRange: '', auxAddresses: {} },
};

/** mvnet-cni and its agent on a host of their own; `client` is the SDK on that agent. */
export interface MvnetParitySide extends ParitySide {
  client: AgentClient;
  /** The mvnet network of the last network() call. */
  lastNetwork(): string;
}

export async function makeMvnetSide(): Promise<MvnetParitySide> {
  const lab = await makeSwitchedHosts('cnimv', 1);
  const host = lab.hosts[0];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-cnip-'));
  const agentAddress = `unix://${path.join(dir, 'agent.sock')}`;
  const agent = await spawnAgent({ stateDir: path.join(dir, 'state'), netns: host, listen: agentAddress });
  const client = new AgentClient({ host: agentAddress });
  const runtime = new CniRuntime({ plugin: installMvnetCni(path.join(dir, 'cni')), hostNetns: host });
  const networks: string[] = [];

  const network = async (spec: ParityNetwork): Promise<CniConfig> => {
    const name = `par${networks.length}`;
    networks.push(name);
    await client.createNetwork({
      name,
      parent: spec.parent ?? 'eth0',
      mode: MODES[spec.mode],
      mtu: spec.mtu ?? 0,
      subnets: familiesOf(spec).map((f) => SUBNETS[f]),
    });
    const runtimeConfig: Record<string, unknown> = {};
    if (spec.addresses.length) runtimeConfig.ips = spec.addresses;
    if (spec.runtimeMac) runtimeConfig.mac = spec.runtimeMac;
    return {
      cniVersion: '1.1.0',
      name,
      type: 'mvnet-cni',
      network: name,
      agent: agentAddress,
      runtimeConfig,
    };
  };

  return {
    label: 'mvnet-cni',
    runtime,
    lab,
    host,
    client,
    lastNetwork: () => networks[networks.length - 1],
    missingNetnsCode: 3,
    // The agent's refusal, naming the network and its missing parent, under the plugin's own code.
    missingMaster: { code: 100, msg: /^network \S+: its parent link eth1 is missing from the host/ },
    // The plugin's own code for an attachment not as ADD left it (100 and up are the plugin's).
    checkFailedCode: 101,
    network,
    refusal: async (spec, attachment) => {
      let config: CniConfig;
      try {
        config = await network(spec);
      } catch (err) {
        if (!(err instanceof MvnetError)) throw err;
        return { at: 'network', code: err.code, message: err.message };
      }
      const out = await runtime.add(config, attachment);
      if (out.exitCode === 0) return undefined;
      return { at: 'ADD', code: out.error?.code ?? -1, message: out.error?.msg ?? out.stderr };
    },
    dropNetworks: async () => {
      for (const name of networks.splice(0)) {
        try {
          await client.deleteNetwork(name, { force: true });
        } catch (err) {
          // A network the API refused to create was never there.
          if (!(err instanceof MvnetError) || err.codeName !== 'NOT_FOUND') throw err;
        }
      }
    },
    close: async () => {
      client.close();
      await agent.stop();
      await lab.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
