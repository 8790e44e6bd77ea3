/**
 * The fleet benchmark's section of BENCHMARKS.md (bench/shared/writeBenchmarksMd.ts places it): date,
 * machine, method, figures, what they say, how to reproduce.
 */
import { formatMarkdown } from '../shared/formatTable';
import { machineLines } from '../shared/machineLines';
import type { FleetFigures } from './fleetFigures';
import { fleetFindings } from './fleetFindings';
import { REAL_NETWORK, SIMULATED_NETWORK } from './fleetLayout';
import { phaseTable, profileTable, realTable, resourceTable, simulatedTable } from './fleetTables';

const duration = (ms: number) => `${ms / 1000} s`;

/** How to read a profile table. */
const PROFILE_NOTE =
  "a fleet row counts its callees; own time is each function's alone, summed by where its code lives; the profiler slows the client a little";

function methodLines(f: FleetFigures): string[] {
  const t = f.settings;
  return [
    '- Both parts drive the SDK as an orchestrator would: a fleet file built in code (`FleetSpec`: hosts, one',
    '  network `fleetbench`, bridge mode on `eth0`, with `ipRangePerHost` so that each host gets a block of its own,',
    '  and one endpoint `web` per host in its container, its address left for the agent to allocate), then',
    '  `new Fleet(spec).apply()`, its progress iterated; `canary: 0`, `probeGateways: false`, `maxFailures: 0`,',
    `  \`confirmWithin: ${duration(t.confirmWithinMs)}\` (each host's change is confirmed once the host answers again), the`,
    `  ${t.hostDeadlineMs === undefined ? "SDK's default deadlines (30 s a call, 10 s to read a host)" : `clients' per-call and host-read deadline ${duration(t.hostDeadlineMs)}`}. A round is that rollout, then the same`,
    '  hosts with the empty file (no network, no endpoint), which removes both; each rollout is a new `Fleet`, on new',
    "  channels, as a new `mvnet fleet apply` would be, timed from `fleet.apply()` to the last host's final state",
    "  (Available: every host must end so, its change made). The Fleet is the SDK's own, its clients wrapped to time",
    '  each call (bench/fleet/TimedFleet.ts): the phases below come from those spans. "CPU busy" is the CPU time of',
    "  the benchmark's process and all its descendants (agents, their `ip` processes, the simulated hosts) over the",
    `  rollout's wall time × ${f.machine.cpus} CPUs. A pause of ${duration(t.settleMs)} follows each rollout.`,
    `- Part 1, real agents: ${t.realCounts.join(', ')} \`mvnet-agent\` processes (log level ${t.agentLogLevel}, state in a fresh`,
    '  tmp dir each, SQLite with full sync), each serving a host netns `mvbf-hN` whose `eth0` is a veth plugged into',
    `  one bridge in \`mvbf-switch\` (holding the gateway ${REAL_NETWORK.gateway}/${REAL_NETWORK.prefixLength}); subnet ${REAL_NETWORK.cidr}, a /${REAL_NETWORK.ipRangePerHost} per`,
    "  host; each host's endpoint goes into its own container netns `mvbf-cN`. `maxUnavailable: 100%`: every host at",
    `  once. The fleet grows from one size to the next, agents started ${t.startParallel} at a time (not timed); at each size`,
    `  ${t.realWarmup} uncounted round(s), then ${t.realRounds}. After every rollout each container is checked in its kernel`,
    '  (`ip -n mvbf-cN addr show dev eth0`: an address of its own after apply, no eth0 after removal).',
    `- Part 2, simulated agents: ${t.simulated} real agents (\`startAgent\`: the agent's services, SQLite state in a tmp`,
    '  dir each, a gRPC server on 127.0.0.1:0) on the in-memory kernel (`MemoryDriver`: an `eth0` and a container',
    `  netns \`c1\` each), ${Math.ceil(t.simulated / t.processes)} per child process in ${t.processes} children (bench/fleet/simulatedHostsProcess.ts), the`,
    `  client in the benchmark's own process. Subnet ${SIMULATED_NETWORK.cidr}, a /${SIMULATED_NETWORK.ipRangePerHost} per host. \`maxUnavailable: ${t.wavePercent}%\`: waves`,
    `  of ${Math.ceil((t.simulated * t.wavePercent) / 100)} hosts. ${t.simulatedWarmup} uncounted round(s), then ${t.simulatedRounds}. Memory (VmRSS sampled every 250 ms, and VmHWM),`,
    '  open fds and TCP sockets by state are sampled throughout the counted rounds. Then one more round, not',
    "  counted, with the client's thread under V8's CPU profiler (node:inspector, 1 ms sampling), read over each",
    "  rollout's window with bench/apply/cpuProfileCosts.ts.",
  ];
}

function figureLines(f: FleetFigures): string[] {
  const lines = ['### Figures', ''];
  if (f.real) {
    const rounds = f.real.sizes.map(
      (z) => `${z.hosts}: ${z.apply.samplesMs.map((v) => (v / 1000).toFixed(2)).join(', ')}`,
    );
    lines.push(
      'Part 1, real agents, every host at once (s; CPU busy: during the apply):',
      '',
      formatMarkdown(realTable(f.real)),
      '',
      `Every apply, in s, per size: ${rounds.join('; ')}.`,
      `The agents took ${f.real.agentRssMiB.median.toFixed(0)} MiB each (median VmRSS at the end, ${f.real.agentRssMiB.min.toFixed(0)}–${f.real.agentRssMiB.max.toFixed(0)});`,
      `growing the fleet took ${f.real.growS.map((g) => g.toFixed(1)).join(', ')} s. The client's CPU includes reading the agents' log lines (pino JSON, level ${f.settings.agentLogLevel}).`,
      '',
      'Where the apply\'s time goes, per fleet size (ms; "per host": median / max over hosts and rounds; the',
      'plan is fleet-wide: no host starts its change before every host is read and dry-run; the hosts of a wave',
      "run their phases at once, so a column's phases add up to more than the rollout):",
      '',
      formatMarkdown(phaseTable(f.real.sizes.map((z) => ({ label: `${z.hosts} host(s)`, k: z.apply })))),
      '',
    );
    if (f.real.profile)
      lines.push(
        `The client's thread in the profiled round at ${f.real.sizes.at(-1)!.hosts} hosts (ms; ${PROFILE_NOTE}):`,
        '',
        formatMarkdown(profileTable(f.real.profile)),
        '',
      );
  }
  const sim = f.simulated;
  if (sim) {
    lines.push(
      `Part 2, ${sim.hosts} simulated agents (started in ${sim.startS.toFixed(1)} s, not timed):`,
      '',
      formatMarkdown(simulatedTable(sim)),
      '',
      formatMarkdown(
        phaseTable([
          { label: 'apply', k: sim.apply },
          { label: 'remove', k: sim.remove },
        ]),
      ),
      '',
      `Every apply, in s: ${sim.apply.samplesMs.map((v) => (v / 1000).toFixed(2)).join(', ')}; every removal: ${sim.remove.samplesMs.map((v) => (v / 1000).toFixed(2)).join(', ')}.`,
      'Peaks over the counted rounds:',
      '',
      formatMarkdown(resourceTable(sim)),
      '',
    );
    if (sim.profile)
      lines.push(
        `The client's thread in the profiled round at ${sim.hosts} hosts (ms; ${PROFILE_NOTE}):`,
        '',
        formatMarkdown(profileTable(sim.profile)),
        '',
      );
  }
  return lines;
}

/** The section, without its markers. */
export function formatFleetSection(f: FleetFigures): string {
  return [
    '## Fleet rollouts',
    '',
    `Written by \`npm run bench:fleet\` (bench/fleet/fleetBench.ts) on ${f.date}, in ${f.elapsedS.toFixed(0)} s. It`,
    'rewrites only this section.',
    '',
    ...machineLines(f.machine, {
      noise:
        'work runs beside the benchmark and adds noise; the agents, their `ip` processes and the client share the CPUs',
    }),
    '',
    '### Method',
    '',
    ...methodLines(f),
    '',
    ...figureLines(f),
    '### Against the targets',
    '',
    ...fleetFindings(f)
      .filter(isVerdict)
      .map((l) => `- ${l}`),
    '',
    '### Reading the figures',
    '',
    ...fleetFindings(f)
      .filter((l) => !isVerdict(l))
      .map((l) => `- ${l}`),
    '',
    '### Reproduce',
    '',
    '```sh',
    'npm run bench:fleet',
    'npm run bench:fleet -- --agents 1,10,50 --rounds 5 --simulated 1000 --processes 4 --simulated-rounds 3   # the defaults',
    'npm run bench:fleet -- --only simulated --no-profile      # one part; --only real for the other',
    '```',
    '',
    'As root; `npm run bench:fleet` raises the open-file limit first (`ulimit -n 65536`, or the hard limit where it',
    'may not), and part 2 refuses to start when the limit is too low for its agents. It takes about ten minutes and',
    'leaves nothing behind: its namespaces are named `mvbf-*` and removed at the start (leftovers of a killed run)',
    'and at the end, also on Ctrl-C; the agents and the simulated hosts stop with it.',
  ].join('\n');
}

/** A finding that judges a goal (its "(goal ≤ ...): met" or "missed"), for the targets' list. */
function isVerdict(finding: string): boolean {
  return finding.includes('(goal ');
}
