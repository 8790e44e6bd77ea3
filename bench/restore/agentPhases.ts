/**
 * Where a start's time went, from the agent's own log: each line carries pino's `time` (Date.now(),
 * ms), and the lines of a start mark its stages (openHost, restoreHost, restoreEndpoints, serveAgent).
 * A stage whose closing line is missing (an agent without it, or a log level above info) is undefined.
 */
import type { AgentLogEntry } from '../../tools/AgentProcess';
import type { TimedStart } from './RestoreAgent';

/** The stages, each ended by the first log line whose message matches. */
export const PHASES = [
  { key: 'boot', label: 'Node start, modules, state opened, kernel probed', until: /^kernel probed$/ },
  {
    key: 'pending',
    label: 'changes the last agent died in undone (resolvePending)',
    until: /^(agent restarted|host rebooted|first start)/,
  },
  {
    key: 'hostLinks',
    label: 'host links: one read, then the repairs (restoreHost)',
    until: /^host links restored$/,
  },
  {
    key: 'endpoints',
    label: 'endpoints checked, or marked LOST (restoreEndpoints)',
    until: /^endpoints restored$/,
  },
  { key: 'serve', label: 'services started, gRPC listening', until: /^serving$/ },
] as const;

export type PhaseKey = (typeof PHASES)[number]['key'] | 'answer';

/** Each stage's length in ms (undefined when not logged), and what the restore's lines counted. */
export interface StartPhases {
  ms: Partial<Record<PhaseKey, number>>;
  /** The `host links restored` line's numbers (ms, repaired, ops...), when logged. */
  hostCounts?: Record<string, number>;
  /** The `endpoints restored` line's numbers (namespaces, netnsReads...), when logged. */
  endpointCounts?: Record<string, number>;
}

const timeOf = (e: AgentLogEntry) => (typeof e.time === 'number' ? e.time : undefined);

/** The numbers a log line carries (pino's own fields left out); undefined when there is no such line. */
function countsOf(start: TimedStart, msg: string): Record<string, number> | undefined {
  const line = start.entries.find((e) => e.msg === msg);
  if (!line) return undefined;
  const numbers = Object.entries(line).filter(
    (kv): kv is [string, number] => typeof kv[1] === 'number' && !['time', 'level', 'pid'].includes(kv[0]),
  );
  return Object.fromEntries(numbers);
}

/** The stages of one timed start; `answer` runs from `serving` to the client's check passing. */
export function startPhases(start: TimedStart): StartPhases {
  const ms: StartPhases['ms'] = {};
  let from: number | undefined = start.spawnedAt;
  for (const phase of PHASES) {
    const line = start.entries.find((e) => phase.until.test(String(e.msg)));
    const at = line && timeOf(line);
    if (at !== undefined && from !== undefined) ms[phase.key] = at - from;
    from = at;
  }
  if (from !== undefined) ms.answer = start.readyAt - from;
  const hostCounts = countsOf(start, 'host links restored');
  const endpointCounts = countsOf(start, 'endpoints restored');
  return { ms, ...(hostCounts ? { hostCounts } : {}), ...(endpointCounts ? { endpointCounts } : {}) };
}
