import type { Command } from 'commander';

/** The options every benchmark takes besides its own: the agent's log level, a copy of its log, --no-write. */
export function addBenchOptions(command: Command): Command {
  return command
    .option('--agent-log-level <level>', "the agent's log level", 'info')
    .option('--agent-log <file>', "copy the agent's log lines to this file")
    .option('--no-write', 'print only; leave BENCHMARKS.md as it is');
}
