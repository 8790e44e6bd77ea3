import path from 'node:path';
import { Fleet } from '../fleet/Fleet';
import type { FleetHost, FleetPlan, FleetSpec } from '../fleet/fleetTypes';
import { parseFleetFile } from '../fleet/parseFleetFile';
import { readSpecSource } from '../spec/readSpecSource';
import type { CliContext } from './CliContext';
import { CliUsageError } from './CliUsageError';
import { fleetClientOptions } from './fleetFlags';
import { readPodHosts } from './fleetPods';
import { readFleetPlan } from './fleetPlanFile';

/** Where the fleet comes from: `-f FILE|-`, and `--hosts-from-pods FILE|-` for its hosts. */
export interface FleetSourceFlags {
  filename?: string;
  hostsFromPods?: string;
}

/**
 * The fleet file of `-f` (a path, or - for standard input), read and checked: any problem with it is
 * a usage error (exit status 2) listing every problem with its file:line. The file's relative paths
 * (tls:) are taken from its folder, or from the working directory for standard input. With
 * `--hosts-from-pods`, the hosts are the agents' pods (readPodHosts), and the file leaves hosts: out.
 */
export async function readFleetFile(flags: FleetSourceFlags, ctx: CliContext): Promise<FleetSpec> {
  const file = flags.filename;
  if (file === undefined)
    throw new CliUsageError('give the fleet file with -f FILE (or -f - for standard input)');
  const hosts =
    flags.hostsFromPods === undefined ? undefined : await readPodHosts(flags.hostsFromPods, file, ctx);
  try {
    const { text, source } = await readSpecSource(file, ctx.io.stdin);
    const dir = file === '-' ? process.cwd() : path.dirname(path.resolve(file));
    return parseFleetFile(text, source, dir, hosts);
  } catch (err) {
    throw new CliUsageError((err as Error).message);
  }
}

/**
 * The fleet, its clients made now, so that what cannot work for any host (a certificate file that is
 * not there, TLS to a unix socket) is a usage error naming the host before any is asked.
 */
export function openFleet(spec: FleetSpec, ctx: CliContext): Fleet {
  const client = fleetClientOptions(ctx.io.env, ctx.options, spec.tls);
  const fleet = new Fleet(spec, { client });
  try {
    for (const host of spec.hosts) {
      try {
        fleet.client(host);
      } catch (err) {
        throw new CliUsageError(`${host.name} (${host.address}): ${(err as Error).message}`);
      }
    }
  } catch (err) {
    fleet.close();
    throw err;
  }
  return fleet;
}

/** The plan that `fleet plan --out` saved, for the hosts of the fleet file. */
export async function readPlanFile(file: string, hosts: readonly FleetHost[]): Promise<FleetPlan> {
  let text: string;
  let source: string;
  try {
    ({ text, source } = await readSpecSource(file, undefined));
  } catch (err) {
    throw new CliUsageError(`--plan: ${(err as Error).message}`);
  }
  return readFleetPlan(text, source, hosts);
}
