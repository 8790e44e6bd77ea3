/**
 * A V8 CPU profile (`node --cpu-prof`'s `.cpuprofile`) read over one time window: how long the agent's
 * thread spent in given functions, callees included (a sample counts for a row when the row's function
 * is on its stack), and which functions took the most time themselves. Each sample lasts until the
 * next one, as Chrome's DevTools count it. The profile's clock is the benchmark's process.hrtime (both
 * CLOCK_MONOTONIC; µs here), so a window is the benchmark's own timing of a call.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/**
 * A row to measure: the samples with function `name`, from a file whose path contains `file`, on their
 * stack; with `under`, only those that the row of that key counts too.
 */
export interface ProfileRow {
  /** What the section's text calls it. */
  key: string;
  label: string;
  name: string;
  file: string;
  under?: string;
}

export interface ProfileCosts {
  /** The window's length, and how much of it the samples cover, ms. */
  windowMs: number;
  sampledMs: number;
  /** Each row's time, ms, in the order given. */
  rows: { key: string; label: string; ms: number }[];
  /** The functions that took the most time themselves, ms, the most first. */
  hottest: { label: string; ms: number }[];
}

/** `name (file:line)`, the file relative to dist/ or node_modules/. */
function frameLabel({ functionName, url, lineNumber }: CallFrame): string {
  const name = functionName || '(anonymous)';
  if (!url) return name;
  const file = url.replace(/^file:\/\//, '').replace(/^.*\/(dist|node_modules)\//, '');
  return `${name} (${file}:${lineNumber + 1})`;
}

/** The samples within the window: each one's leaf and stack of call frames, and how long it lasted (µs). */
function samplesWithin(profile: CpuProfile, from: number, to: number) {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  let at = profile.startTime;
  const times = profile.timeDeltas.map((d) => (at += d));
  return profile.samples.flatMap((id, i) => {
    const us = Math.min(times[i + 1] ?? times[i], to) - Math.max(times[i], from);
    if (us <= 0) return [];
    const stack: CallFrame[] = [];
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) stack.push(frames.get(n)!);
    return [{ stack, us }];
  });
}

/** The costs of `rows`, and the `hottest` functions, from `fromUs` to `toUs`. */
export function profileCosts(
  text: string,
  window: { fromUs: bigint; toUs: bigint },
  rows: readonly ProfileRow[],
  hottest: number,
): ProfileCosts {
  const [from, to] = [Number(window.fromUs), Number(window.toUs)];
  const samples = samplesWithin(JSON.parse(text) as CpuProfile, from, to);
  const counts = (row: ProfileRow, stack: CallFrame[]): boolean => {
    const parent = row.under === undefined ? undefined : rows.find((r) => r.key === row.under);
    if (row.under !== undefined && !parent) throw new Error(`no profile row ${row.under}`);
    const here = stack.some((f) => f.functionName === row.name && f.url.includes(row.file));
    return here && (!parent || counts(parent, stack));
  };
  const self = new Map<string, number>();
  for (const { stack, us } of samples)
    self.set(frameLabel(stack[0]), (self.get(frameLabel(stack[0])) ?? 0) + us);
  const sum = (us: number[]) => us.reduce((a, b) => a + b, 0) / 1000;
  return {
    windowMs: (to - from) / 1000,
    sampledMs: sum(samples.map((s) => s.us)),
    rows: rows.map((row) => ({
      key: row.key,
      label: row.label,
      ms: sum(samples.filter((s) => counts(row, s.stack)).map((s) => s.us)),
    })),
    hottest: [...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, hottest)
      .map(([label, us]) => ({ label, ms: us / 1000 })),
  };
}
