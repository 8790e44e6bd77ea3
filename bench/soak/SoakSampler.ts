/**
 * Reads the agent from /proc every `intervalMs` while the soak runs (bench/memory/processMemory.ts):
 * resident memory, descriptors, child processes; with the load's counters at that moment, so that a
 * step in a series can be put beside what was going on.
 */
import { readProcess } from '../memory/processMemory';

export interface SoakSample {
  /** Seconds since the sampler started. */
  t: number;
  rssMiB: number;
  anonMiB: number;
  fileMiB: number;
  fds: number;
  children: number;
  /** Watch streams open (the churn's count) and cycles done, at that moment. */
  watchers: number;
  cycles: number;
}

export class SoakSampler {
  readonly samples: SoakSample[] = [];
  private readonly started = performance.now();
  private readonly timer: NodeJS.Timeout;
  private lost = false;

  constructor(
    private readonly pid: number,
    intervalMs: number,
    private readonly load: () => { watchers: number; cycles: number },
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  /** True once the agent could not be read (it ended). */
  get agentGone(): boolean {
    return this.lost;
  }

  stop(): SoakSample[] {
    clearInterval(this.timer);
    return this.samples;
  }

  private sample(): void {
    const r = readProcess(this.pid);
    if (!r) {
      this.lost = true;
      return;
    }
    const { rssMiB, anonMiB, fileMiB, fds, children } = r;
    const t = (performance.now() - this.started) / 1000;
    this.samples.push({ t, rssMiB, anonMiB, fileMiB, fds, children, ...this.load() });
  }
}
