import type { Attachment } from '../attach/attachmentPlan';
import { CNI_NETWORK, MVNET_NETWORK } from './cniAgent';

/**
 * mvnet-cni's network config for one ADD: the mvnet network, the agent's socket, and the container's
 * address as a runtime passes it with the `ips` capability (runtimeConfig). The link (eth0's bridge
 * macvlan), the gateway and the default route come from the mvnet network, as the CNI macvlan
 * plugin's come from its own config (attach/cniMacvlan.ts, cniConfig).
 */
export function mvnetCniConfig(a: Attachment, agent: string): object {
  return {
    cniVersion: '1.1.0',
    name: CNI_NETWORK,
    type: 'mvnet-cni',
    network: MVNET_NETWORK,
    agent,
    runtimeConfig: { ips: [a.cidr] },
  };
}
