/**
 * The measured phase: each iteration times, on the same host netns, one ADD through mvnet-cni, one
 * ADD of the CNI macvlan plugin, the empty `node` start, the agent's CreateEndpoint alone (warm SDK),
 * mvnet-cni's VERSION (Node and the plugin's modules, no agent) and the nsenter wrapper alone. The
 * sides take turns going first (the order rotates each iteration), so that none always runs in
 * another's wake. Every ADD goes into a fresh container made before the phase. The first `warmup`
 * iterations are not counted. Afterwards (untimed) every attachment is checked (mvnet-cni's reported
 * MACs against the kernel's too), then each DEL is run through the plugin that made it, and the agent
 * must hold no endpoint.
 */
import { Attachment, planAttachments } from '../attach/attachmentPlan';
import { CNI_MACVLAN, cniConfig, measureWrapper } from '../attach/cniMacvlan';
import { runPool } from '../attach/runPool';
import { verifyAttachments } from '../attach/verifyAttachments';
import { addNamespaces, deleteNamespaces } from '../shared/benchNamespaces';
import { CniAgent } from './cniAgent';
import { checkMvnetCniResult, checkReportedMac } from './checkMvnetCniResult';
import { execPlugin, type PluginCall } from './execPlugin';
import { mvnetCniConfig } from './mvnetCniConfig';
import type { PluginDir } from './pluginDir';

export const SIDES = ['mvnetCni', 'macvlan', 'emptyNode', 'createEndpoint', 'version', 'wrapper'] as const;
export type Side = (typeof SIDES)[number];

/** Milliseconds per call, per side, counted iterations only. */
export type CniAddResult = Record<Side, number[]>;

/** The containers: one block of addresses each for mvnet-cni, CNI macvlan and CreateEndpoint alone. */
function planPhase(count: number) {
  return {
    mvnetCni: planAttachments('cni-m', 11, count),
    macvlan: planAttachments('cni-c', 12, count),
    createEndpoint: planAttachments('cni-e', 13, count),
  };
}

type PhasePlan = ReturnType<typeof planPhase>;

interface PhaseContext {
  agent: CniAgent;
  plugins: PluginDir;
  plan: PhasePlan;
}

function mvnetCniCall(c: PhaseContext, a: Attachment, command: PluginCall['command']): PluginCall {
  const config = mvnetCniConfig(a, c.agent.address);
  return { plugin: c.plugins.mvnetCni, command, container: a.container, config, cniPath: c.plugins.dir };
}

function macvlanCall(a: Attachment, command: PluginCall['command']): PluginCall {
  return { plugin: CNI_MACVLAN, command, container: a.container, config: JSON.parse(cniConfig(a)) as object };
}

/** One side's call in iteration `i`; returns its time in ms. */
async function runSide(c: PhaseContext, side: Side, i: number): Promise<number> {
  const m = c.plan.mvnetCni[i];
  switch (side) {
    case 'mvnetCni': {
      const run = await execPlugin(mvnetCniCall(c, m, 'ADD'));
      checkMvnetCniResult(m, run.output);
      return run.ms;
    }
    case 'macvlan':
      return (await execPlugin(macvlanCall(c.plan.macvlan[i], 'ADD'))).ms;
    case 'emptyNode':
      // The same environment and stdin as the ADD just made (the script reads neither).
      return (await execPlugin({ ...mvnetCniCall(c, m, 'ADD'), plugin: c.plugins.emptyNode })).ms;
    case 'createEndpoint':
      return c.agent.createEndpoint(c.plan.createEndpoint[i]);
    case 'version':
      return (await execPlugin(mvnetCniCall(c, m, 'VERSION'))).ms;
    case 'wrapper':
      return measureWrapper();
  }
}

/** Checks every attachment, then DELs each through its own plugin (or the SDK); none of it timed. */
async function verifyAndDelete(c: PhaseContext): Promise<void> {
  await verifyAttachments('mvnet-cni', c.plan.mvnetCni);
  await verifyAttachments('CNI macvlan', c.plan.macvlan);
  await verifyAttachments('CreateEndpoint', c.plan.createEndpoint);
  await runPool(c.plan.mvnetCni, 4, checkReportedMac);
  await runPool(c.plan.mvnetCni, 4, (a) => execPlugin(mvnetCniCall(c, a, 'DEL')));
  await runPool(c.plan.macvlan, 4, (a) => execPlugin(macvlanCall(a, 'DEL')));
  await runPool(c.plan.createEndpoint, 4, (a) => c.agent.deleteEndpoint(a));
  const left = await c.agent.endpointNames();
  if (left.length > 0) throw new Error(`after every DEL the agent still holds ${left.join(', ')}`);
}

/** Runs the phase: `iterations` counted rounds after `warmup` uncounted ones. */
export async function measureCniAdd(
  agent: CniAgent,
  plugins: PluginDir,
  o: { iterations: number; warmup: number },
): Promise<CniAddResult> {
  const c: PhaseContext = { agent, plugins, plan: planPhase(o.warmup + o.iterations) };
  const containers = Object.values(c.plan).flatMap((as) => as.map((a) => a.container));
  const result = Object.fromEntries(SIDES.map((s) => [s, [] as number[]])) as CniAddResult;
  await addNamespaces(containers);
  try {
    for (let i = 0; i < o.warmup + o.iterations; i++) {
      const order = SIDES.map((_, k) => SIDES[(i + k) % SIDES.length]);
      for (const side of order) {
        const ms = await runSide(c, side, i);
        if (i >= o.warmup) result[side].push(ms);
      }
    }
    await verifyAndDelete(c);
  } finally {
    await deleteNamespaces(containers);
  }
  return result;
}
