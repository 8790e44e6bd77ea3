/**
 * Where the time goes inside Apply: an agent of its own under `node --cpu-prof`, warmed as part 3's
 * is, then one Apply of `endpoints` fresh containers and one of the empty spec, checked as part 3's;
 * the profile's samples within each call's window, summed per function (cpuProfileCosts.ts). The
 * profiler slows the agent down: the figures are part 3's, this says only where its time goes.
 */
import { planAttachments } from '../attach/attachmentPlan';
import { ApplySide } from './applySide';
import { runSide } from './applyPhase';
import { profileCosts, type ProfileCosts, type ProfileRow } from './cpuProfileCosts';

/** Sampling interval, µs: node's default is 1000; an Apply of 200 is a few hundred ms. */
export const PROFILE_INTERVAL_US = 100;

/** Address blocks of the profiled run (attach/attachmentPlan.ts): after part 3's. */
const WARMUP_BLOCK = 240;
const BLOCK = 241;

/**
 * What the profile is read for: the stages of an Apply and the costs within them, each with what it
 * calls. A ↳ row counts only what lies within the row it hangs from; (idle) is the thread waiting.
 */
export const PROFILE_ROWS: ProfileRow[] = [
  {
    key: 'validate',
    label: 'validating the spec (checkApplySpec)',
    name: 'checkApplySpec',
    file: 'domain/apply/checkApplySpec',
  },
  {
    key: 'read',
    label: 'reading the host: links, addressing, which namespaces exist (readApplyView)',
    name: 'readApplyView',
    file: 'app/apply/readApplyView',
  },
  { key: 'plan', label: 'planning (planApply)', name: 'planApply', file: 'domain/apply/planApply' },
  {
    key: 'steps',
    label: 'the kernel steps, one endpoint after the other (a step’s run, transitionSteps)',
    name: 'run',
    file: 'app/apply/transitionSteps',
  },
  {
    key: 'requests',
    label: '↳ rtnetlink requests answered within the call (RtnlSocket.request)',
    name: 'request',
    file: 'kernel/netlink/RtnlSocket',
    under: 'steps',
  },
  {
    key: 'netns',
    label: '↳ opening each container’s netns (NetnsOpener.open)',
    name: 'open',
    file: 'kernel/NetnsOpener',
    under: 'steps',
  },
  {
    key: 'cookie',
    label: '↳ ↳ of which its cookie, from a socket made in it (cookieOf)',
    name: 'cookieOf',
    file: 'kernel/NetnsOpener',
    under: 'netns',
  },
  {
    key: 'commit',
    label: 'the SQLite commit, one transaction (Store.transact)',
    name: 'transact',
    file: 'store/Store',
  },
  {
    key: 'follow',
    label: 'following the new namespaces for drift (DriftService.follow)',
    name: 'follow',
    file: 'app/DriftService',
  },
  { key: 'log', label: 'log lines (pino)', name: 'LOG', file: 'pino/' },
  { key: 'gc', label: 'garbage collection', name: '(garbage collector)', file: '' },
  {
    key: 'idle',
    label: 'idle: the thread waits (an answer read off the thread, the client)',
    name: '(idle)',
    file: '',
  },
];

/** How many of the hottest functions (self time) are named. */
const HOTTEST = 8;

export interface ProfiledApply {
  apply: ProfileCosts;
  clear: ProfileCosts;
}

export async function profileApply(o: {
  endpoints: number;
  parallel: number;
  agentLogLevel: string;
  /** Stops the agent on Ctrl-C (BenchmarkRun.defer). */
  defer: (what: string, cleanup: () => Promise<void>) => void;
}): Promise<ProfiledApply> {
  const side = await ApplySide.open({ logLevel: o.agentLogLevel, cpuProfile: PROFILE_INTERVAL_US });
  o.defer('stop the profiled agent', async () => void (await side.close()));
  const warmup = Math.min(o.endpoints, o.parallel * 4);
  await runSide('Apply', side, planAttachments('pw', WARMUP_BLOCK, warmup), o.parallel);
  const first = side.calls.length;
  await runSide('Apply', side, planAttachments('p', BLOCK, o.endpoints), o.parallel);
  const profile = await side.close();
  if (!profile) throw new Error('the profiled agent wrote no CPU profile');
  const [apply, clear] = side.calls.slice(first);
  const costs = (c: typeof apply) =>
    profileCosts(profile, { fromUs: c.startNs / 1000n, toUs: c.endNs / 1000n }, PROFILE_ROWS, HOTTEST);
  return { apply: costs(apply), clear: costs(clear) };
}
