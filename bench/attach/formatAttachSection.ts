/**
 * The attach benchmark's section of BENCHMARKS.md (bench/shared/writeBenchmarksMd.ts places it): date,
 * machine, method, figures, targets, how to reproduce.
 */
import { formatMarkdown } from '../shared/formatTable';
import { machineLines } from '../shared/machineLines';
import { AttachFigures } from './attachFigures';
import { bulkAttachTable, cpuLine, oneAttachTable, verdictLines } from './attachTables';

function methodLines(f: AttachFigures): string[] {
  const { iterations, warmup, endpoints, parallel, runs, agentLogLevel } = f.settings;
  return [
    '### Method',
    '',
    '- Layout, the same for every side: a throwaway "host" netns `mvb-host` whose `eth0` is a veth plugged',
    '  into a bridge in a "switch" netns `mvb-switch` (holding the gateway 10.88.0.1/16); every attach puts a',
    "  bridge-mode macvlan of the host's `eth0` into a container netns of its own (`mvb-*`, created",
    '  beforehand, not timed), named `eth0`, with an address 10.88.B.N/16 and a default route via the gateway.',
    `- mvnet: one \`mvnet-agent --netns mvb-host --listen 127.0.0.1:0\` (log level ${agentLogLevel}, state in a`,
    '  fresh tmp dir, SQLite with full sync), started once, not timed; an attach is one `createEndpoint` call',
    '  through the SDK (`client/src/AgentClient.ts`), timed in the benchmark from the call to its reply. The',
    "  agent's kernel work takes no process: rtnetlink requests from its own thread, on a socket in the host",
    "  netns and one opened in the container's (setns through the koffi FFI), in `agent/src/kernel/netlink/NetlinkAttacher.ts`.",
    "- CNI: Debian's `/usr/lib/cni/macvlan` with the `static` IPAM plugin, one process per ADD, config on stdin,",
    "  `CNI_COMMAND=ADD CNI_NETNS=/var/run/netns/<container> CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni`. CNI's",
    '  `master` is looked up in the namespace the plugin runs in, so it runs as `nsenter --net=/var/run/netns/mvb-host',
    '  /usr/lib/cni/macvlan`; the nsenter is counted in its time. A runtime on a real host execs the plugin',
    '  directly in the root netns, without it: the wrapper is timed alone too, and the ratio given without it.',
    '- plain ip: the least a script does, one process each: `ip -n mvb-host link add link eth0 name eth0 netns',
    '  <container> type macvlan mode bridge`, `ip -n <container> addr add`, `link set up`, `route add default`.',
    `- Part 1: ${iterations} iterations (after ${warmup} uncounted warm-up ones), interleaved: mvnet, CNI, plain ip,`,
    "  nsenter alone, the SDK's empty call to the agent (`checkHealth`: grpc.health.v1 Check, on the SDK's",
    '  own client and channel), an empty unary call on bare `@grpc/grpc-js` (client in the benchmark, server',
    '  in a process of its own, `bench/attach/rawGrpcServer.ts`: the floor of the transport), mvnet, CNI...;',
    '  one attach at a time, each into a fresh container.',
    `- Part 2: ${endpoints} fresh containers per run, ${parallel} attaches in flight for both sides (mvnet:`,
    `  ${parallel} concurrent RPCs on one client; CNI: ${parallel} concurrent plugin processes); wall time from the`,
    `  first start to the last end; ${runs} runs per side, interleaved, the side going first alternating, after one`,
    `  uncounted run per side of ${Math.min(endpoints, parallel * 4)} endpoints (a long-running agent's code is warm).`,
    '- After every batch (not timed): every container is checked to have its `eth0`, a bridge-mode macvlan, up,',
    '  with its address and the default route, and the first one pings the gateway; then the containers are',
    "  removed (and mvnet's endpoints deleted), so every run starts from the same state.",
    "- CPU ms/endpoint: user + system time of the benchmark's process tree during a part-2 run (the SDK client",
    '  and the agent; or the nsenter/plugin/IPAM processes), from /proc, per endpoint.',
    "- Every spawn goes through Node's `child_process.spawn`, timed from the call to the `close` event.",
  ];
}

function figureLines(f: AttachFigures): string[] {
  const o = f.one;
  const rest = o.agentKernel ? (o.mvnet.median - o.agentKernel.median).toFixed(1) : 'n/a';
  return [
    '### Figures',
    '',
    formatMarkdown(oneAttachTable(f)),
    '',
    "mvnet's median attach minus the median of its kernel work (what gRPC both ways, validation, SQLite",
    `reads and the commit take): ${rest} ms, of which the SDK's empty call takes ${o.ping.median.toFixed(1)} ms`,
    `(bare grpc-js: ${o.floor.median.toFixed(1)} ms).`,
    '',
    formatMarkdown(bulkAttachTable(f)),
    '',
    `Runs in order: ${f.bulk.order.join('; ')}. In ${cpuLine(f).replace(/^part 2: /, 'part 2, ')}.`,
    '',
    '### Against the targets',
    '',
    ...verdictLines(f).map((l) => `- ${l}`),
  ];
}

/** The section, without its markers. */
export function formatAttachSection(f: AttachFigures): string {
  return [
    '## Endpoint attach: mvnet against the CNI macvlan plugin',
    '',
    `Written by \`npm run bench\` (bench/attach/attachBench.ts) on ${f.date}, in ${f.elapsedS.toFixed(0)} s. It rewrites`,
    'only this section.',
    '',
    ...machineLines(f.machine, {
      software: f.machine.cniPlugins,
      noise:
        'work, such as user-mode Linux test labs, runs beside the benchmark and adds noise; the interleaving spreads it',
    }),
    '',
    ...methodLines(f),
    '',
    ...figureLines(f),
    '',
    '### Reproduce',
    '',
    'As root, on a Debian 12 host with Node 20, `iproute2` and `containernetworking-plugins`:',
    '',
    '```sh',
    'npm ci && npm run bench',
    'npm run bench -- --iterations 30 --endpoints 200 --parallel 8 --runs 5   # the defaults',
    '```',
    '',
    'It needs root, finishes by itself within a few minutes, and leaves nothing behind: every namespace it',
    'makes is named `mvb-*` and removed at the start (leftovers of a killed run) and at the end, also on Ctrl-C.',
  ].join('\n');
}
