/**
 * The restore benchmark's section of BENCHMARKS.md (bench/shared/writeBenchmarksMd.ts places it):
 * date, machine, method, figures, targets, how to reproduce.
 */
import { formatMarkdown } from '../shared/formatTable';
import { machineLines } from '../shared/machineLines';
import type { RestoreFigures } from './restoreFigures';
import { PROFILE_INTERVAL_US } from './RestoreAgent';
import { hottestTable, profileTable } from './restoreProfileTables';
import { phaseTable, readsLine, sidesTable, verdictLines } from './restoreTables';

function methodLines(f: RestoreFigures): string[] {
  const { networks, endpoints, containers, scale } = f.layout;
  const perContainer = endpoints.length / containers.length;
  return [
    '### Method',
    '',
    '- Layout: a throwaway host netns `mvbr-host` whose `eth0` is a veth into a bridge in `mvbr-switch`;',
    `  ${networks.length} networks (bridge mode, a /24 each, \`host_access\`: a shim macvlan of the host's own on the`,
    '  parent, with a /32 and a host route to each endpoint), ' +
      (scale.vlans
        ? 'every other one on a VLAN sub-interface `eth0.N` that the agent\n  makes, the others on `eth0`;'
        : 'all on `eth0`: the kernel here has no 802.1q (GetHost),\n  so the host links a reboot takes are the shims (on a kernel with it, every other network gets a\n  sub-interface `eth0.N` of its own too);'),
    `  ${endpoints.length} endpoints in ${containers.length} container netns (\`mvbr-c*\`), ${perContainer} networks each (\`eth0\`, \`eth1\`...).`,
    `  The state is built by one \`Apply\` of the whole host (${(f.setup.ms / 1000).toFixed(2)} s).`,
    `- The agent: \`mvnet-agent --netns mvbr-host --listen 127.0.0.1:0 --log-level ${f.settings.agentLogLevel}\`, its state in`,
    "  a tmp dir kept across its restarts. A start is timed from the benchmark's spawn of the process to the",
    '  moment a client (on a new connection) has seen health SERVING and then ListNetworks and ListEndpoints',
    '  show the host restored. The agent restores before it serves, so the first answers already show it.',
    '- Restart: SIGTERM, then a start on the same state; restored = every network READY, every endpoint',
    '  READY (the agent checked each one against its container). Peer: the same agent started on an empty',
    '  state dir, serving a host of its own (`mvbr-empty`), timed the same way (nothing to list).',
    '- Reboot: the agent stopped; the host netns and every container netns deleted (every link the agent',
    '  made goes: shims, sub-interfaces, routes, endpoints; a reboot keeps no container), then the host',
    '  made again with its eth0 alone, as a machine boots; and a new boot id: every start of the agent runs',
    '  under `unshare --mount` with a file bind-mounted over `/proc/sys/kernel/random/boot_id`, holding the',
    '  machine\'s id until the first reboot, a fresh one from each reboot on. "Everything back" is',
    '  what the agent restores by itself after a reboot: the agent serving, every network READY with its',
    '  host links made again (shim, address, a route to each endpoint), every endpoint LOST with its lease',
    '  (address, MAC) kept. The agent does not re-attach endpoints after a reboot by itself: a netns name or',
    '  pid of the last boot may name another container now (DESIGN.md, Trust). Checked after the clock',
    '  stopped: every shim in the kernel, up, with its /32, and a host route to every endpoint.',
    '  Peer: the iproute2 floor for the same host links: the `ip` commands that make them (as the agent',
    '  reads them off its host after the setup: `link add ... address MAC type macvlan`, `link set alias`,',
    '  `addr add`, `link set up`, `route add`), fed to one `ip -n mvbr-floor -batch -` on a freshly made',
    '  host, timed from its spawn to its exit, and checked the same way.',
    '- Re-attach (for scale, no target): after each reboot the containers are made again and the same',
    '  `Apply` re-attaches every LOST endpoint with its lease, timed from the call to the reply.',
    `- ${f.settings.rounds} rounds; in each the four sides run once, their order rotating from round to round.`,
    "- Stages: from the agent's own log lines (pino's `time`, ms): spawn → `kernel probed` → the restore's first",
    "  line → `host links restored` → `endpoints restored` → `serving` → the client's check passed.",
  ];
}

function profileLines(f: RestoreFigures): string[] {
  const { profile } = f;
  if (!profile) return [];
  return [
    '### Where the time goes (profiled)',
    '',
    'After the rounds, one more restart and one more reboot with the agent under `node --cpu-prof`',
    `(sampling every ${PROFILE_INTERVAL_US} µs), each profile read from the spawn to the client's check. The profiler`,
    "slows the agent: the figures are the rounds', this says where the time goes. A row counts a sample",
    "when its function is on the sample's stack; after an `await` a stack starts at the function resumed, so",
    "rows name functions that work without one, and the log's stages above measure the async ones.",
    '',
    formatMarkdown(profileTable(profile)),
    '',
    formatMarkdown(hottestTable(profile, 'restart')),
    '',
    formatMarkdown(hottestTable(profile, 'reboot')),
  ];
}

/** What the reboot's host links cost an operation, beside the floor. */
function hostRepairLines(f: RestoreFigures): string[] {
  const repairs = f.hostRepairs;
  if (!repairs || repairs.ops === 0) return [];
  const each = repairs.ms / repairs.ops;
  return [
    `At a reboot the host links took ${repairs.ops} kernel operations (link add and mark, address, up, route)`,
    `in ${repairs.ms.toFixed(0)} ms (median), ${each.toFixed(2)} ms each: one command and its answer at a time through the`,
    "agent's one long-lived `ip -batch` process (kernel/iproute2/IpBatch.ts), where the floor's one process",
    `runs the same commands back to back in ${f.sides.floor.median.toFixed(0)} ms.`,
  ];
}

function figureLines(f: RestoreFigures): string[] {
  const steps = Object.entries(f.reattachSteps)
    .map(([action, n]) => `${n} ${action}`)
    .join(', ');
  return [
    '### Figures',
    '',
    formatMarkdown(sidesTable(f)),
    '',
    formatMarkdown(phaseTable(f)),
    '',
    `What the agent read of the kernel at a restart: ${readsLine(f.counts.restart)}; at a reboot:`,
    `${readsLine(f.counts.reboot)}. The re-attaching Apply planned ${steps || 'nothing'}.`,
    ...hostRepairLines(f),
    '',
    `Runs in order: ${f.order.join('; ')}.`,
    '',
    '### Against the targets',
    '',
    ...verdictLines(f).map((l) => `- ${l}`),
  ];
}

/** The section, without its markers. */
export function formatRestoreSection(f: RestoreFigures): string {
  return [
    '## Restore at scale: restart and reboot with 100 networks and 1,000 endpoints',
    '',
    `Written by \`npm run bench:restore\` (bench/restore/restoreBench.ts) on ${f.date}, in ${f.elapsedS.toFixed(0)} s. It`,
    'rewrites only this section.',
    '',
    ...machineLines(f.machine, {
      noise: 'work runs beside the benchmark and adds noise; the rotation spreads it',
    }),
    '',
    ...methodLines(f),
    '',
    ...figureLines(f),
    '',
    ...profileLines(f),
    ...(f.profile ? [''] : []),
    '### Reproduce',
    '',
    'As root, on a Debian 12 host with Node 20 and `iproute2`:',
    '',
    '```sh',
    'npm ci && npm run bench:restore',
    'npm run bench:restore -- --networks 100 --endpoints 1000 --containers 200 --rounds 5   # the defaults',
    '```',
    '',
    'It needs root, finishes by itself within a few minutes, and leaves nothing behind: every namespace it',
    'makes is named `mvbr-*` and removed at the start (leftovers of a killed run) and at the end, also on Ctrl-C.',
  ].join('\n');
}
