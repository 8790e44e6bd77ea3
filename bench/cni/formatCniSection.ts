/**
 * The CNI benchmark's section of BENCHMARKS.md (bench/shared/writeBenchmarksMd.ts places it): date,
 * machine, method, figures, targets, how to reproduce.
 */
import { formatMarkdown } from '../shared/formatTable';
import { machineLines } from '../shared/machineLines';
import type { CniFigures } from './cniFigures';
import { breakdownLines, cniAddTable, verdictLines } from './cniTables';

function methodLines(f: CniFigures): string[] {
  const { iterations, warmup, agentLogLevel } = f.settings;
  return [
    '### Method',
    '',
    '- Layout as in the attach benchmark: a throwaway "host" netns `mvb-host` whose `eth0` is a veth into a',
    '  "switch" netns `mvb-switch` (gateway 10.88.0.1/16); every ADD puts a bridge-mode macvlan of eth0 into a',
    '  fresh container netns (`mvb-cni-*`, made beforehand, not timed) as `eth0`, with its address 10.88.B.N/16',
    '  and a default route via the gateway.',
    '- Both plugins are executed as a runtime executes them: one process per call, the network config on',
    '  stdin, `CNI_COMMAND CNI_CONTAINERID CNI_NETNS=/var/run/netns/<container> CNI_IFNAME=eth0 CNI_PATH` in',
    '  the environment, the result read from stdout; each under `nsenter --net=/var/run/netns/mvb-host`, as the',
    '  CNI macvlan plugin must (it looks its master up in its own netns). The nsenter is counted on both sides,',
    '  timed alone, and the ratio also given without it.',
    "- mvnet-cni: `mvnet-cni` in a CNI_PATH dir of the benchmark's, a link to `dist/client/src/cni/main.js`",
    `  (shebang \`#!/usr/bin/env node\`, which finds ${f.node}); config \`{"cniVersion":"1.1.0","type":"mvnet-cni",`,
    '  "network":"bench","agent":"unix://<state dir>/agent.sock","runtimeConfig":{"ips":["10.88.11.N/16"]}}`. Its',
    `  agent: one \`mvnet-agent --netns mvb-host --listen unix://...\` (log level ${agentLogLevel}, fresh state dir),`,
    '  started once, not timed, with the mvnet network `bench` (eth0, bridge, 10.88.0.0/16, gateway 10.88.0.1).',
    "- CNI macvlan: Debian's `/usr/lib/cni/macvlan` (its highest cniVersion, 1.0.0) with the `static` IPAM",
    '  plugin: master eth0, mode bridge, the address and gateway in `ipam.addresses`, route 0.0.0.0/0.',
    '- The empty node start: a link `empty-node` beside `mvnet-cni`, made the same way, to a script holding only',
    '  the shebang line; executed exactly as mvnet-cni is (nsenter, the same environment and stdin, which it does',
    '  not read). It is what every mvnet-cni call pays before its first line runs: the exec, `/usr/bin/env`',
    "  finding node, Node's start-up and exit. Taking it off leaves what the plugin itself adds.",
    "- The agent's CreateEndpoint alone: the request mvnet-cni's ADD makes (its `cni-` name, its four labels, the",
    '  netns path, the address), through the SDK on a client connected once to the same unix socket (warm), into',
    '  a container of its own; timed from the call to the reply.',
    '- mvnet-cni VERSION: node plus the plugin loaded and answering, no agent (what loading costs).',
    `- ${iterations} iterations after ${warmup} uncounted ones; each runs every side once, one call at a time, the`,
    '  side going first rotating every iteration. After the phase (not timed) every container is checked (eth0',
    '  a bridge macvlan, up, its address, the default route; a ping to the gateway from the first of each side),',
    "  mvnet-cni's result MAC against the kernel's, then every attachment is removed with a DEL through the",
    '  plugin that made it (the SDK for CreateEndpoint), and the agent must hold no endpoint.',
    "- Every process is spawned with Node's `child_process.spawn`, timed from the call to its `close` event.",
  ];
}

/** The section, without its markers. */
export function formatCniSection(f: CniFigures): string {
  return [
    '## CNI ADD: mvnet-cni against the CNI macvlan plugin',
    '',
    `Written by \`npm run bench:cni\` (bench/cni/cniBench.ts) on ${f.date}, in ${f.elapsedS.toFixed(0)} s. It`,
    'rewrites only this section.',
    '',
    ...machineLines(f.machine, {
      software: f.machine.cniPlugins,
      noise: 'work runs beside the benchmark and adds noise; the rotating order spreads it',
    }),
    '',
    ...methodLines(f),
    '',
    '### Figures',
    '',
    formatMarkdown(cniAddTable(f)),
    '',
    ...breakdownLines(f).map((l) => `- ${l}`),
    '',
    '### Against the targets',
    '',
    ...verdictLines(f).map((l) => `- ${l}`),
    '',
    '### Reproduce',
    '',
    'As root, on a Debian 12 host with Node 20, `iproute2` and `containernetworking-plugins`:',
    '',
    '```sh',
    'npm ci && npm run bench:cni',
    'npm run bench:cni -- --iterations 30 --warmup 3   # the defaults',
    '```',
    '',
    'It leaves nothing behind: its namespaces are named `mvb-*` and removed at the start (leftovers of a',
    'killed run) and at the end, also on Ctrl-C; its agent and plugin dir go with them.',
  ].join('\n');
}
