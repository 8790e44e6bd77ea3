/** Part 3's report: its tables and verdicts on the console, and its section of BENCHMARKS.md. */
import { formatText } from '../shared/formatTable';
import type { MachineFacts } from '../shared/machineFacts';
import type { BenchmarkRun } from '../shared/runBenchmark';
import { writeBenchmarksMd } from '../shared/writeBenchmarksMd';
import { computeApplyFigures } from './applyFigures';
import type { ApplyPartOptions, ApplyPartResult } from './applyPart';
import { attachTable, detachTable, hottestTable, profileTable, verdictLines } from './applyTables';
import { formatApplySection } from './formatApplySection';

export function reportApplyPart(
  run: BenchmarkRun,
  o: ApplyPartOptions & { machine: MachineFacts; result: ApplyPartResult; write: boolean },
): void {
  const f = computeApplyFigures({ machine: o.machine, settings: o, result: o.result });
  for (const table of [attachTable(f), detachTable(f), profileTable(f), hottestTable(f)])
    run.say(`\n${formatText(table)}`);
  run.say(`\nrounds: ${f.order.join('; ')}`);
  for (const line of verdictLines(f)) run.say(line);
  if (o.write) run.say(`wrote the apply section of ${writeBenchmarksMd('apply', formatApplySection(f))}`);
}
