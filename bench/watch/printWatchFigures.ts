import { formatText } from '../shared/formatTable';
import { watchFindings } from './watchFindings';
import type { WatchFigures } from './watchFigures';
import {
  commitAloneLine,
  driftTable,
  fanOutTable,
  mutationTable,
  ratioLine,
  stalledLines,
  targetLines,
} from './watchTables';

/** The figures on the console: the same tables and sentences as the BENCHMARKS.md section. */
export function printWatchFigures(f: WatchFigures, say: (line: string) => void): void {
  say(`\n${formatText(fanOutTable(f))}\n\n${formatText(driftTable(f))}\n\n${formatText(mutationTable(f))}\n`);
  for (const line of [
    commitAloneLine(f),
    ratioLine(f),
    ...stalledLines(f),
    '',
    ...targetLines(f),
    '',
    ...watchFindings(f),
  ])
    say(line);
  say(
    `load average before ${f.machine.loadBefore}, after ${f.machine.loadAfter}; ${f.elapsedS.toFixed(0)} s in all`,
  );
}
