#!/usr/bin/env node
/**
 * `npm run bench:all`: every benchmark but the soak, one after the other (each takes the machine's
 * benchmark lock itself), then BENCHMARKS.md rewritten whole: the title, a summary of every target with
 * its verdict, and each benchmark's sections, in order. The soak's section, which this run does not
 * write, is kept as it was. A benchmark that fails is said in the summary, and the run ends non-zero.
 * Extra arguments are not taken: each benchmark runs with its defaults, as its section describes.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import {
  readBenchmarkSection,
  resetBenchmarksMd,
  writeBenchmarksMd,
  type BenchmarkSection,
} from '../shared/writeBenchmarksMd';
import { BENCH_STEPS, type BenchStep } from './benchSteps';
import { formatSummary, type StepOutcome } from './targetSummary';

/** The sections a whole run leaves as they are: the soak's (`npm run bench:soak`, not part of it). */
const KEPT_SECTIONS: BenchmarkSection[] = ['soak'];

/** The dist/ directory this file was compiled into. */
const DIST = path.join(__dirname, '..', '..');

/** Runs one benchmark as its npm script would (with the fleet's raised open-file limit), output passed through. */
function runStep(step: BenchStep): Promise<StepOutcome> {
  const started = process.hrtime.bigint();
  const entry = path.join(DIST, step.entry);
  // The fleet benchmark opens thousands of sockets; the others do not mind the higher limit.
  const script = 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$1"';
  const child = spawn('bash', ['-c', script, process.execPath, entry], { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward).on('SIGTERM', forward);
  return new Promise((resolve) => {
    const done = (status: string) => {
      process.off('SIGINT', forward).off('SIGTERM', forward);
      resolve({ script: step.script, seconds: Number(process.hrtime.bigint() - started) / 1e9, status });
    };
    child.once('error', (err) => done(`failed to start: ${err.message}`));
    child.once('exit', (code, signal) =>
      done(signal ? `killed (${signal})` : code === 0 ? '0' : `exit ${code}`),
    );
  });
}

async function main(): Promise<void> {
  resetBenchmarksMd(KEPT_SECTIONS);
  const outcomes: StepOutcome[] = [];
  for (const step of BENCH_STEPS) {
    process.stdout.write(`\n=== npm run ${step.script} ===\n`);
    const outcome = await runStep(step);
    outcomes.push(outcome);
    if (outcome.status.startsWith('killed (SIGINT')) break;
  }
  const summary = formatSummary({
    date: new Date().toISOString(),
    outcomes,
    sectionText: readBenchmarkSection,
  });
  writeBenchmarksMd('summary', summary);
  process.stdout.write(`\n${summary}\n`);
  if (outcomes.some((o) => o.status !== '0')) process.exitCode = 1;
}

void main();
