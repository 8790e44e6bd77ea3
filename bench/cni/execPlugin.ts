/**
 * A CNI plugin executed as a runtime executes it: one process per call, the network config on stdin,
 * the rest in CNI_* variables, the result (or a CNI error object) read from stdout. Both plugins run
 * in the throwaway host's netns through `nsenter --net=` (the CNI macvlan plugin looks its `master` up
 * in the namespace it runs in; mvnet-cni reaches its agent over a unix socket, which any namespace
 * can), so that both pay the same wrapper; it is timed alone too (attach/cniMacvlan.ts, measureWrapper).
 */
import { HOST_NETNS } from '../attach/attachmentPlan';
import { CNI_PATH } from '../attach/cniMacvlan';
import { runProcess } from '../shared/runProcess';

const HOST_NETNS_FILE = `/var/run/netns/${HOST_NETNS}`;

export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'VERSION';

export interface PluginCall {
  /** The plugin's executable (under a CNI_PATH dir, as a runtime finds it from the config's `type`). */
  plugin: string;
  command: CniCommand;
  /** The container's netns name (under /var/run/netns): its CNI_CONTAINERID and CNI_NETNS. */
  container: string;
  /** The network config, written to stdin. */
  config: object;
  /** CNI_PATH: where the plugin and its delegates (IPAM) live. */
  cniPath?: string;
}

export interface PluginRun {
  ms: number;
  /** The parsed stdout: a result, a VERSION answer or a CNI error object; undefined when empty. */
  output?: Record<string, unknown>;
}

/** The CNI_* environment of a call, as a runtime sets it. */
export function cniEnvironment(call: PluginCall): NodeJS.ProcessEnv {
  return {
    CNI_COMMAND: call.command,
    CNI_CONTAINERID: call.container,
    CNI_NETNS: `/var/run/netns/${call.container}`,
    CNI_IFNAME: 'eth0',
    CNI_PATH: call.cniPath ?? CNI_PATH,
  };
}

/** Runs one call, timed from spawn to exit (nsenter, the plugin, its children); throws when it fails. */
export async function execPlugin(call: PluginCall): Promise<PluginRun> {
  const r = await runProcess(['nsenter', `--net=${HOST_NETNS_FILE}`, call.plugin], {
    input: JSON.stringify(call.config),
    env: cniEnvironment(call),
  });
  const text = r.stdout.trim();
  if (r.code !== 0) {
    throw new Error(
      `${call.plugin} ${call.command} for ${call.container} failed (${r.code}): ${text} ${r.stderr.trim()}`,
    );
  }
  return { ms: r.ms, output: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
}
