/**
 * The peaks of what a fleet costs the machine, sampled from /proc while it runs: each process's
 * resident memory (its high-water mark too, VmHWM, which catches what sampling misses) and open file
 * descriptors, and the TCP sockets of the machine's root namespace (where the simulated agents listen
 * on 127.0.0.1) by state.
 */
import fs from 'node:fs';

export interface ProcessPeak {
  pid: number;
  role: string;
  /** Highest resident memory, in MiB: the larger of the sampled VmRSS and the kernel's VmHWM. */
  rssMiB: number;
  fds: number;
}

export interface ResourcePeaks {
  processes: ProcessPeak[];
  /** Most TCP sockets seen at once in each state (ESTABLISHED, TIME_WAIT, LISTEN). */
  tcp: { established: number; timeWait: number; listen: number };
}

/** /proc/net/tcp's state codes. */
const STATES = { '01': 'established', '06': 'timeWait', '0A': 'listen' } as const;

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function fdCount(pid: number): number {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

function tcpStates(): ResourcePeaks['tcp'] {
  const counts = { established: 0, timeWait: 0, listen: 0 };
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = fs.readFileSync(file, 'utf8').split('\n').slice(1);
    for (const line of lines) {
      const state = line.trim().split(/\s+/)[3] as keyof typeof STATES | undefined;
      if (state && state in STATES) counts[STATES[state]]++;
    }
  }
  return counts;
}

export class ResourceSampler {
  private readonly peaks: ProcessPeak[];
  private readonly tcp = { established: 0, timeWait: 0, listen: 0 };
  private readonly timer: NodeJS.Timeout;

  constructor(processes: { pid: number; role: string }[], intervalMs: number) {
    this.peaks = processes.map((p) => ({ ...p, rssMiB: 0, fds: 0 }));
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.sample();
  }

  /** Stops sampling; the peaks seen, with each process's high-water mark. */
  stop(): ResourcePeaks {
    clearInterval(this.timer);
    this.sample();
    for (const p of this.peaks) p.rssMiB = Math.max(p.rssMiB, statusKiB(p.pid, 'VmHWM') / 1024);
    return { processes: this.peaks.map((p) => ({ ...p })), tcp: { ...this.tcp } };
  }

  private sample(): void {
    for (const p of this.peaks) {
      p.rssMiB = Math.max(p.rssMiB, statusKiB(p.pid, 'VmRSS') / 1024);
      p.fds = Math.max(p.fds, fdCount(p.pid));
    }
    const now = tcpStates();
    for (const key of Object.keys(now) as (keyof typeof now)[])
      this.tcp[key] = Math.max(this.tcp[key], now[key]);
  }
}

/** The resident memory of `pid` now, in MiB (0 once it is gone). */
export function residentMiB(pid: number): number {
  return statusKiB(pid, 'VmRSS') / 1024;
}
