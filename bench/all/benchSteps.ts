/**
 * What `npm run bench:all` runs, in order: every benchmark but the soak (which takes 10 minutes by
 * itself: `npm run bench:soak`), each with its defaults, and the sections of BENCHMARKS.md each writes.
 */
import type { BenchmarkSection } from '../shared/writeBenchmarksMd';

export interface BenchStep {
  /** The npm script that runs it alone. */
  script: string;
  /** Its compiled entry point, under dist/. */
  entry: string;
  sections: BenchmarkSection[];
}

export const BENCH_STEPS: BenchStep[] = [
  { script: 'bench', entry: 'bench/attach/attachBench.js', sections: ['attach', 'apply'] },
  { script: 'bench:cni', entry: 'bench/cni/cniBench.js', sections: ['cni'] },
  { script: 'bench:watch', entry: 'bench/watch/watchBench.js', sections: ['watch'] },
  { script: 'bench:fleet', entry: 'bench/fleet/fleetBench.js', sections: ['fleet'] },
  { script: 'bench:restore', entry: 'bench/restore/restoreBench.js', sections: ['restore'] },
  { script: 'bench:memory', entry: 'bench/memory/memoryBench.js', sections: ['memory'] },
  { script: 'bench:metrics', entry: 'bench/metrics/metricsBench.js', sections: ['metrics'] },
];
