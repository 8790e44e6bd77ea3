import fs from 'node:fs';
import os from 'node:os';
import { runProcess } from './runProcess';

/** What the figures were measured on, as BENCHMARKS.md states it. */
export interface MachineFacts {
  cpus: number;
  cpuModel: string;
  memory: string;
  kernel: string;
  node: string;
  iproute2: string;
  cniPlugins: string;
  /** /proc/loadavg before and after the run: other work on a shared machine skews the figures. */
  loadBefore: string;
  loadAfter?: string;
}

/** The 1, 5 and 15 minute load averages. */
export function readLoadAverage(): string {
  return fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

async function firstLine(argv: string[], fallback: string): Promise<string> {
  const r = await runProcess(argv).catch(() => undefined);
  const line = r?.code === 0 ? `${r.stdout}${r.stderr}`.trim().split('\n')[0] : '';
  return line || fallback;
}

/** nproc, the CPU model, memory, `uname -r`, node, `ip -V`, the CNI plugins' Debian version. */
export async function readMachineFacts(): Promise<MachineFacts> {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? 'unknown';
  const cni = await firstLine(
    ['dpkg-query', '-W', '-f', '${Version}', 'containernetworking-plugins'],
    'not installed',
  );
  return {
    cpus: Number(await firstLine(['nproc'], String(os.availableParallelism()))),
    cpuModel: model.trim(),
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    kernel: os.release(),
    node: process.version,
    iproute2: (await firstLine(['ip', '-V'], 'unknown')).replace(/^ip utility, iproute2-/, ''),
    cniPlugins: `containernetworking-plugins ${cni}`,
    loadBefore: readLoadAverage(),
  };
}
