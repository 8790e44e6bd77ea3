/**
 * Part 3's section of BENCHMARKS.md (bench/shared/writeBenchmarksMd.ts places it): date, machine,
 * method, figures, where Apply's time goes, the target, how to reproduce.
 */
import { formatMarkdown } from '../shared/formatTable';
import { machineLines } from '../shared/machineLines';
import type { ApplyFigures } from './applyFigures';
import { attachTable, detachTable, hottestTable, profileTable, verdictLines } from './applyTables';
import { PROFILE_INTERVAL_US } from './profileApply';

function methodLines(f: ApplyFigures): string[] {
  const { endpoints, parallel, rounds, agentLogLevel } = f.settings;
  const warmup = Math.min(endpoints, parallel * 4);
  return [
    '### Method',
    '',
    '- Layout, as for the attach section: a throwaway host netns `mvb-host` whose `eth0` is a veth into a',
    '  bridge in `mvb-switch` (gateway 10.88.0.1/16); each endpoint is a bridge-mode macvlan of that `eth0`',
    `  in a container netns of its own (\`mvb-*\`, made beforehand, not timed), named \`eth0\`, with an`,
    '  address 10.88.B.N/16 and a default route via the gateway. Every side gets fresh containers.',
    `- Apply: an agent of its own, \`mvnet-agent --netns mvb-host --listen 127.0.0.1:0\` (log level ${agentLogLevel},`,
    '  a fresh state dir, SQLite with full sync), started once, not timed, holding nothing before each round. One',
    '  `Apply` through the raw generated client (nice-grpc, `proto/gen`: the wire alone, no SDK layer) of a spec',
    `  with one network (\`bench\`: parent \`eth0\`, bridge, 10.88.0.0/16) and ${endpoints} endpoints, one per container`,
    `  (named after it, \`eth0\`, its address); timed from the call to its reply; its plan must be ${endpoints + 1} CREATE.`,
    `  Then one \`Apply\` of the empty spec, timed the same way: ${endpoints + 1} DELETE, every endpoint detached and the`,
    '  network removed.',
    `- CNI: as in part 2, ${endpoints} ADDs of \`/usr/lib/cni/macvlan\` with static IPAM under`,
    `  \`nsenter --net=/var/run/netns/mvb-host\`, ${parallel} in flight (bench/attach/cniMacvlan.ts).`,
    '- The floor, iproute2 with the fewest processes (bench/apply/ipFloor.ts): one `ip -n mvb-host -batch -`',
    `  holding ${endpoints} lines \`link add link eth0 name eth0 netns <container> type macvlan mode bridge\` (each`,
    '  link made from the host netns right inside its container), then one `ip -n <container> -batch -` per',
    `  container (\`addr add\`, \`link set dev eth0 up\`, \`route add default via\`), ${parallel} in flight. Timed from`,
    '  the first spawn to the last exit. Its detach: one `ip -n <container> link del dev eth0` per container,',
    `  ${parallel} in flight (a batch cannot span namespaces).`,
    `- ${rounds} rounds of Apply, CNI and the floor, the side going first rotating, after one uncounted round`,
    `  per side of ${warmup} endpoints (a long-running agent's code is warm; the binaries in the page cache).`,
    '- Checks (not timed): after every attach every container has its `eth0`, a bridge-mode macvlan, up,',
    '  with its address and the default route, and the first one pings the gateway (bench/attach/verifyAttachments.ts);',
    '  after every detach every container holds `lo` alone, and the agent no endpoint.',
    "- CPU ms/endpoint: user + system time of the benchmark's process tree during the attach (the client and",
    "  the agent; or the nsenter/plugin/IPAM processes; or ip's), from /proc, per endpoint.",
    `- Profile: after the rounds, one more agent under \`node --cpu-prof --cpu-prof-interval=${PROFILE_INTERVAL_US}\`,`,
    `  warmed by one Apply of ${warmup}, then one Apply of ${endpoints} fresh containers and one of the empty spec,`,
    "  checked as above. Only the samples within each call's window count (the profile and the benchmark",
    "  share CLOCK_MONOTONIC); a row counts a sample when its function is on the sample's stack (callees",
    '  included), a ↳ row only within the row it hangs from. The profiler slows the agent: the figures are',
    "  the rounds'.",
  ];
}

function profileLines(f: ApplyFigures): string[] {
  const { apply, clear } = f.profile;
  const n = f.settings.endpoints;
  const row = (costs: typeof apply, key: string) => costs.rows.find((r) => r.key === key)?.ms ?? 0;
  const pct = (costs: typeof apply, x: number) => `${((100 * x) / costs.windowMs).toFixed(0)} %`;
  const steps = row(apply, 'steps');
  const idle = row(clear, 'idle');
  return [
    '### Where the time goes inside Apply',
    '',
    formatMarkdown(profileTable(f)),
    '',
    formatMarkdown(hottestTable(f)),
    '',
    `- The Apply of ${n}: the kernel steps, one endpoint after the other on the agent's one thread, take`,
    `  ${pct(apply, steps)} of the call (${(steps / n).toFixed(2)} ms an endpoint). Within them: the rtnetlink requests answered in`,
    `  the call ${pct(apply, row(apply, 'requests'))} (the kernel's own work happens inside \`send\`), opening each container's netns`,
    `  ${pct(apply, row(apply, 'netns'))}. Outside them: validating ${pct(apply, row(apply, 'validate'))}, planning ${pct(apply, row(apply, 'plan'))}, the SQLite commit ${pct(apply, row(apply, 'commit'))}.`,
    `- The empty spec: the thread is idle ${pct(clear, idle)} of the call. Each link deletion is a request the`,
    '  kernel answers only after RCU grace periods; the agent awaits the answer off its thread',
    '  (RtnlSocket.requestAsync), but one endpoint after the other, so the waits add up:',
    `  ${(clear.windowMs / n).toFixed(1)} ms an endpoint in this call, against ${(f.detach['ip -batch'].median / n).toFixed(1)} ms for \`ip link del\` with ${f.settings.parallel} processes in flight.`,
  ];
}

/** The section, without its markers. */
export function formatApplySection(f: ApplyFigures): string {
  const n = f.settings.endpoints;
  return [
    `## Apply: ${n} endpoints in one call, against the CNI plugin and the iproute2 floor`,
    '',
    `Written by \`npm run bench\` (part 3, bench/apply/) on ${f.date}, in ${f.elapsedS.toFixed(0)} s. It rewrites only`,
    'this section.',
    '',
    ...machineLines(f.machine, {
      software: f.machine.cniPlugins,
      noise:
        'work, such as user-mode Linux test labs, runs beside the benchmark and adds noise; the rotation spreads it',
    }),
    '',
    ...methodLines(f),
    '',
    '### Figures',
    '',
    formatMarkdown(attachTable(f)),
    '',
    formatMarkdown(detachTable(f)),
    '',
    `Rounds in order: ${f.order.join('; ')}.`,
    '',
    '### Against the targets',
    '',
    ...verdictLines(f).map((l) => `- ${l}`),
    '',
    ...profileLines(f),
    '',
    '### Reproduce',
    '',
    'As root, on a Debian 12 host with Node 20, `iproute2` and `containernetworking-plugins`:',
    '',
    '```sh',
    'npm ci && npm run bench                                                  # parts 1 to 3',
    'npm run bench -- --only apply --endpoints 200 --parallel 8 --rounds 5   # part 3 alone, the defaults',
    '```',
    '',
    'Every namespace it makes is named `mvb-*` and removed at the start (leftovers of a killed run) and at',
    'the end, also on Ctrl-C.',
  ].join('\n');
}
