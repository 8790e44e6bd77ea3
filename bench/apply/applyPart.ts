/**
 * Part 3 of `npm run bench`, end to end: an agent of its own (the attach parts' one holds a network an
 * empty spec would remove), the rounds of applyPhase.ts, then that agent stopped and one more run under
 * the profiler (profileApply.ts). The figures come from the rounds alone.
 */
import type { BenchmarkRun } from '../shared/runBenchmark';
import { ApplySide } from './applySide';
import { measureApply, type ApplyPhaseOptions, type ApplyPhaseResult } from './applyPhase';
import { profileApply, type ProfiledApply } from './profileApply';

export interface ApplyPartOptions extends ApplyPhaseOptions {
  agentLogLevel: string;
  /** The agent's log goes to `<agentLog>.apply` (the attach parts' agent writes `agentLog`). */
  agentLog?: string;
}

export interface ApplyPartResult {
  measured: ApplyPhaseResult;
  profile: ProfiledApply;
  elapsedS: number;
}

export async function runApplyPart(run: BenchmarkRun, o: ApplyPartOptions): Promise<ApplyPartResult> {
  const started = process.hrtime.bigint();
  const side = await ApplySide.open({
    logLevel: o.agentLogLevel,
    logFile: o.agentLog && `${o.agentLog}.apply`,
  });
  run.defer('stop the Apply agent', async () => void (await side.close()));
  run.say(`part 3: ${o.endpoints} endpoints in one Apply, against CNI and ip -batch, ${o.rounds} rounds...`);
  const measured = await measureApply(side, o);
  await side.close();
  run.say('part 3: one more Apply, its agent under node --cpu-prof...');
  const profile = await profileApply({ ...o, defer: run.defer });
  return { measured, profile, elapsedS: Number(process.hrtime.bigint() - started) / 1e9 };
}
