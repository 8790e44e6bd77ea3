import type { MachineFacts } from './machineFacts';

/**
 * The Machine part of a benchmark's section of BENCHMARKS.md: CPUs, memory, kernel, Node, iproute2
 * and what else the benchmark names (`software`), and the load average around the run, with a word
 * on the noise a shared machine adds (`noise`, the end of the sentence).
 */
export function machineLines(m: MachineFacts, o: { software?: string; noise: string }): string[] {
  return [
    '### Machine',
    '',
    `- ${m.cpus} CPUs (nproc), ${m.cpuModel}; ${m.memory} of memory`,
    `- Linux ${m.kernel}; Node ${m.node}; iproute2 ${m.iproute2}${o.software ? `; ${o.software}` : ''}`,
    `- load average before the run ${m.loadBefore}, after it ${m.loadAfter ?? 'n/a'} (a shared machine: other`,
    `  ${o.noise})`,
  ];
}
