/**
 * The agent as the tests start it: tools/AgentProcess.ts with the tests' defaults (a free port on
 * loopback, debug logs), resolved once it serves. Its `logs` hold every entry it wrote.
 */
import { AgentProcess } from '../../tools/AgentProcess';

export type { AgentProcess } from '../../tools/AgentProcess';

/**
 * Starts an agent in its own process group (so a kill takes all of it) and resolves once it serves,
 * with the address it logged (`--listen 127.0.0.1:0` picks a free port).
 */
export async function spawnAgent(args: {
  stateDir: string;
  netns?: string;
  listen?: string;
  extra?: string[];
  /** More environment (MVNET_FAULT_KILL_AT...). */
  env?: Record<string, string>;
  /** Another build's main.js (the upgrade test's older agent). */
  main?: string;
}): Promise<AgentProcess> {
  const argv = [
    '--listen',
    args.listen ?? '127.0.0.1:0',
    '--state-dir',
    args.stateDir,
    '--log-level',
    'debug',
  ];
  if (args.netns) argv.push('--netns', args.netns);
  argv.push(...(args.extra ?? []));
  const agent = AgentProcess.spawn({ args: argv, env: args.env, main: args.main });
  try {
    await agent.untilReady();
  } catch (err) {
    const logs = agent.logs.map((l) => JSON.stringify(l)).join('\n');
    throw new Error(`${(err as Error).message}\nlogs: ${logs}`);
  }
  return agent;
}
