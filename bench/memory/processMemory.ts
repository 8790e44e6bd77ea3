/**
 * What a process holds, read from /proc as the kernel counts it: resident memory (VmRSS, split into
 * RssAnon, the heap and other private pages, and RssFile, mapped files such as the node binary and
 * native modules, shared with other processes), its high-water mark (VmHWM), open file descriptors,
 * and the other processes of its group (what an agent started: `ip` helpers).
 */
import fs from 'node:fs';
import { processGroupMembers } from '../../tools/processGroup';

/** One reading of a process, in MiB and counts; undefined fields once it is gone. */
export interface ProcessReading {
  rssMiB: number;
  anonMiB: number;
  fileMiB: number;
  /** The highest VmRSS so far (the kernel's own high-water mark: it catches what sampling misses). */
  hwmMiB: number;
  fds: number;
  /** Processes of its group other than itself (an agent started as its group's leader). */
  children: number;
}

/** The fields of /proc/PID/status this reads, in KiB. */
type StatusFields = Record<'VmRSS' | 'RssAnon' | 'RssFile' | 'VmHWM', number>;

function readStatus(pid: number): StatusFields | undefined {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { VmRSS: kib('VmRSS'), RssAnon: kib('RssAnon'), RssFile: kib('RssFile'), VmHWM: kib('VmHWM') };
}

/** Open file descriptors of `pid` (0 once it is gone). */
export function countFds(pid: number): number {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/**
 * Reads `pid` now; `group` counts the other members of that process group (pass the pid of a group
 * leader, as AgentProcess starts the agent). Undefined when the process is gone.
 */
export function readProcess(pid: number, group = true): ProcessReading | undefined {
  const s = readStatus(pid);
  if (!s) return undefined;
  const members = group ? processGroupMembers(pid).filter((m) => !m.startsWith(`${pid} `)) : [];
  return {
    rssMiB: s.VmRSS / 1024,
    anonMiB: s.RssAnon / 1024,
    fileMiB: s.RssFile / 1024,
    hwmMiB: s.VmHWM / 1024,
    fds: countFds(pid),
    children: members.length,
  };
}
