#!/usr/bin/env node
/**
 * A process of simulated hosts, forked by the fleet benchmark: `count` agents, each the real agent
 * (startAgent: SQLite state, services, a gRPC server on 127.0.0.1:0) on an in-memory kernel of its own
 * (MemoryDriver: an `eth0`, and one container netns `c1`). Many share this process and its one
 * thread, as they could not as 1,000 processes of ~60 MB each. It reports their addresses once all
 * serve, and stops them when told, or when the benchmark's IPC channel closes (the benchmark died).
 * Warnings and errors of the agents go to stderr, as pino JSON, for the benchmark to count.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { MemoryDriver } from '../../agent/src/kernel/memory/MemoryDriver';
import { startAgent, type RunningAgent } from '../../agent/src/startAgent';
import { SIMULATED_CONTAINER } from './fleetLayout';
import {
  parseSimulatedHostsArgv,
  type SimulatedHostsCommand,
  type SimulatedHostsReport,
} from './simulatedHostsProtocol';

const args = parseSimulatedHostsArgv(process.argv.slice(2));
const logger = pino({ level: 'warn' }, process.stderr);
const agents: RunningAgent[] = [];
let stopping: Promise<void> | undefined;

function report(message: SimulatedHostsReport): void {
  process.send?.(message);
}

async function startOne(index: number): Promise<RunningAgent> {
  const stateDir = path.join(args.stateDir, `a${index}`);
  fs.mkdirSync(stateDir, { mode: 0o700 });
  const driver = new MemoryDriver({ links: [{ name: 'eth0', kind: '', mtu: 1500 }] });
  driver.addNetnsBehindBack({ name: SIMULATED_CONTAINER });
  return startAgent({ listen: '127.0.0.1:0', stateDir, logger: logger.child({ host: index }), driver });
}

/** Starts the agents, `parallel` at a time, in index order; their addresses in that order. */
async function startAll(): Promise<string[]> {
  const addresses = new Array<string>(args.count);
  let next = 0;
  const worker = async () => {
    while (next < args.count && !stopping) {
      const i = next++;
      const agent = await startOne(args.first + i);
      agents.push(agent);
      addresses[i] = agent.address;
    }
  };
  await Promise.all(Array.from({ length: args.parallel }, worker));
  return addresses;
}

function stop(): Promise<void> {
  return (stopping ??= (async () => {
    await Promise.allSettled(agents.map((a) => a.close(0)));
    fs.rmSync(args.stateDir, { recursive: true, force: true });
  })().finally(() => process.exit(0)));
}

process.on('message', (m: SimulatedHostsCommand) => {
  if (m.type === 'stop') void stop();
});
process.on('disconnect', () => void stop());
// Ctrl-C at the terminal reaches the whole foreground group: the benchmark tells this process to stop.
process.on('SIGINT', () => undefined);

const started = performance.now();
startAll().then(
  (addresses) => report({ type: 'ready', addresses, startMs: performance.now() - started }),
  (err: unknown) => {
    report({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    void stop();
  },
);
