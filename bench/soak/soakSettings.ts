/** The soak's options (`npm run bench:soak -- --help`). */
import { Command } from 'commander';
import { addBenchOptions } from '../shared/addBenchOptions';
import { integerIn } from '../shared/integerIn';
import type { ChurnSettings } from './soakChurn';
import type { CycleSettings } from './soakCycles';

export interface SoakSettings {
  minutes: number;
  sampleMs: number;
  churn: ChurnSettings;
  cycles: CycleSettings;
  perChannel: number;
  agentLogLevel: string;
  agentLog?: string;
  write: boolean;
}

export function parseSoakSettings(): SoakSettings {
  const command = new Command('soakBench')
    .description(
      'a long run of the agent under churn, mutations and drift: are its memory, fds and children flat?',
    )
    .option('--minutes <n>', 'how long the load runs', integerIn(1, 24 * 60), 10)
    .option('--sample-s <s>', 'seconds between readings of the agent', integerIn(1, 60), 3)
    .option('--watchers <n>', 'Watch streams kept open', integerIn(1, 900), 50)
    .option('--replace <n>', 'streams closed and opened anew at each churn step', integerIn(1, 900), 10)
    .option('--churn-s <s>', 'seconds between churn steps', integerIn(1, 600), 2)
    .option('--stall-every <n>', 'a stalled stream at every n-th churn step (0: none)', integerIn(0, 1000), 5)
    .option(
      '--endpoints <n>',
      'endpoints per cycle (one per container netns of the pool)',
      integerIn(1, 200),
      8,
    )
    .option(
      '--drifts <n>',
      "endpoints per cycle whose link is deleted behind the agent's back",
      integerIn(0, 200),
      3,
    )
    .option('--pause-ms <ms>', 'pause between cycles', integerIn(0, 60_000), 500)
    .option('--per-channel <n>', 'Watch streams per connection', integerIn(1, 900), 10);
  const o = addBenchOptions(command).parse().opts();
  if (o.replace > o.watchers) command.error('--replace must not exceed --watchers');
  return {
    minutes: o.minutes,
    sampleMs: o.sampleS * 1000,
    churn: { watchers: o.watchers, replace: o.replace, everyMs: o.churnS * 1000, stallEvery: o.stallEvery },
    cycles: { endpoints: o.endpoints, drifts: Math.min(o.drifts, o.endpoints), pauseMs: o.pauseMs },
    perChannel: o.perChannel,
    agentLogLevel: o.agentLogLevel,
    agentLog: o.agentLog,
    write: o.write,
  };
}
