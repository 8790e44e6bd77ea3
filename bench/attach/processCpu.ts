/**
 * CPU time of a process tree from /proc: what a side costs the machine, besides how long it takes.
 * On 2 CPUs, 8 attaches in flight finish no faster than the CPU they need allows.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

let ticksPerSecond: number | undefined;

/** USER_HZ, the unit of /proc/PID/stat's times (100 nearly everywhere). */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const out = (() => {
      try {
        return execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
      } catch {
        return '';
      }
    })();
    ticksPerSecond = Number(out.trim()) || 100;
  }
  return ticksPerSecond;
}

/** utime, stime, cutime, cstime and ppid of a process, or undefined once it is gone. */
function readStat(pid: number): { ppid: number; ticks: number } | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
  return { ppid: Number(fields[1]), ticks: utime + stime + cutime + cstime };
}

/** The pids of every process, with their parents. */
function readParents(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(entry)]);
  }
  return children;
}

/**
 * CPU time, in ms, used so far by `pid`, by its children it has reaped, and by its live descendants
 * (the agent and its long-lived host batch, for this benchmark's own pid). A process that ends between
 * two readings and is reaped by its parent stays counted in that parent's children's time.
 */
export function readTreeCpuMs(pid: number = process.pid): number {
  const children = readParents();
  const sum = (p: number): number =>
    (readStat(p)?.ticks ?? 0) + (children.get(p) ?? []).reduce((acc, c) => acc + sum(c), 0);
  return (sum(pid) * 1000) / clockTicks();
}
