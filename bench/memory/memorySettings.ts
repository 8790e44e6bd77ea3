/** The memory benchmark's options (`npm run bench:memory -- --help`). */
import { Command, Option } from 'commander';
import { addBenchOptions } from '../shared/addBenchOptions';
import { integerIn } from '../shared/integerIn';
import type { IdleSettings } from './idlePhase';
import type { ScaleSettings } from './scalePhase';

export interface MemorySettings {
  only?: 'idle' | 'scale';
  idle: IdleSettings;
  scale: ScaleSettings;
  agentLogLevel: string;
  agentLog?: string;
  write: boolean;
}

export function parseMemorySettings(): MemorySettings {
  const command = new Command('memoryBench')
    .description("the agent's memory: idle against an empty grpc-js server, and with endpoints and watchers")
    .addOption(new Option('--only <part>', 'run one part').choices(['idle', 'scale']))
    .option('--rounds <n>', 'part 1: rounds (each starts every side once)', integerIn(1, 20), 3)
    .option('--settle-s <s>', 'part 1: seconds each side stays idle, read all along', integerIn(4, 120), 15)
    .option('--endpoints <n>', 'part 2: endpoints, one per container netns', integerIn(1, 1024), 1000)
    .option('--networks <n>', 'part 2: networks the endpoints spread over', integerIn(1, 100), 10)
    .option('--watchers <n>', 'part 2: Watch streams from revision 0', integerIn(0, 1000), 1000)
    .option('--per-channel <n>', 'part 2: Watch streams per connection', integerIn(1, 1000), 100)
    .option('--scale-settle-s <s>', 'part 2: idle seconds before each reading', integerIn(1, 60), 10);
  const o = addBenchOptions(command).parse().opts();
  return {
    only: o.only,
    idle: { rounds: o.rounds, settleMs: o.settleS * 1000, sampleMs: 250 },
    scale: {
      endpoints: o.endpoints,
      networks: Math.min(o.networks, o.endpoints),
      watchers: o.watchers,
      perChannel: o.perChannel,
      settleMs: o.scaleSettleS * 1000,
    },
    agentLogLevel: o.agentLogLevel,
    agentLog: o.agentLog,
    write: o.write,
  };
}
