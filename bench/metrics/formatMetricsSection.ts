/**
 * The metrics benchmark's section of BENCHMARKS.md (bench/shared/writeBenchmarksMd.ts places it):
 * date, machine, method, figures, targets, how to reproduce.
 */
import { formatMarkdown } from '../shared/formatTable';
import { machineLines } from '../shared/machineLines';
import type { MetricsFigures } from './metricsFigures';
import { HOSTS } from './metricsLayout';
import {
  callTable,
  floorLines,
  memoryTable,
  scrapeTable,
  stallTable,
  throughputTable,
} from './metricsTables';
import { verdictLines } from './metricsTargets';

function methodLines(f: MetricsFigures): string[] {
  const { unary: u, attach: a, scrape: s, agentLogLevel } = f.settings;
  return [
    '### Method',
    '',
    `- Two agents, the same but for one flag: \`mvnet-agent --netns ${HOSTS.on.host} --listen 127.0.0.1:0`,
    `  --metrics-listen 127.0.0.1:0\` ("metrics on") and \`mvnet-agent --netns ${HOSTS.off.host} --listen`,
    `  127.0.0.1:0\` ("metrics off"), each on a fresh state dir, log level ${agentLogLevel}, started once, not`,
    '  timed. Each serves a throwaway host of its own whose `eth0` is a veth into a bridge in a switch netns of',
    '  its own, and holds one network `bench` (eth0, bridge mode, 10.94.0.0/16). With the flag the agent loads',
    '  prom-client, puts its middleware outermost around every call (a counter and a histogram per call),',
    '  wraps its LinkDriver in a Proxy timing every kernel step, and serves `GET /metrics`.',
    '- Each agent has a raw nice-grpc client (no SDK) on a TCP connection of its own, connected before the',
    '  first timed call; a call is timed from the request to the answer. Wherever both agents are measured, the',
    '  one going first alternates from one iteration (or round) to the next.',
    `- Phase 1, unary calls: ${u.warmup} uncounted then ${u.iterations} counted iterations, each one`,
    '  `ListNetworks` on each agent, then one `GetHost` on each, one call at a time. Then the throughput:',
    `  ${u.rounds} rounds, in each of which each agent answers ${u.callsPerRound} calls (ListNetworks and GetHost`,
    `  alternating), ${u.concurrency} in flight; calls over the wall time of the whole. Each agent's VmRSS,`,
    '  RssAnon and RssFile are read from /proc/PID/status once it serves its network (before phase 1), and',
    '  right after phase 1; without the flag the agent never loads prom-client.',
    "- prom-client's own work per call: after the run, in the benchmark's process, a histogram timer started",
    '  and stopped and a counter incremented, with the labels and buckets the agent uses, 5 rounds of 100,000',
    '  (bench/metrics/promClientFloor.ts): the floor of what the middleware adds to a call.',
    `- Phase 2, attaches: ${a.warmup} uncounted then ${a.attaches} counted \`CreateEndpoint\` calls on each agent,`,
    '  each into a fresh container netns made before the phase (not timed), the agent picking the address;',
    '  every container is then checked (not timed: eth0 a bridge-mode macvlan, up, with the address the',
    '  agent gave), then as many `DeleteEndpoint` calls, the same way; both agents must then hold none.',
    `- Phase 3, scrapes of the metrics agent, over one kept-alive HTTP connection (as Prometheus keeps one per`,
    '  target), each timed from the request to the last byte of the body: first as phases 1 and 2 left the',
    `  agent (the network \`bench\`, no endpoint), ${s.scrapes} scrapes one after the other; then ${s.networks} more`,
    `  networks (a /22 each) and ${s.endpoints} endpoints, one per container netns (real namespaces and`,
    '  macvlans, 8 `CreateEndpoint` calls in flight, not timed), and again as many scrapes, the last one',
    `  checked to count ${s.endpoints} ready endpoints. Then the stall: ${s.burstRounds} rounds of two windows of`,
    `  ${s.burstCalls} \`ListNetworks\` calls one at a time on the metrics agent, one window quiet and one with a`,
    `  scrape every ${s.scrapeIntervalMs} ms from the same process (skipped while one is running), which goes`,
    '  first alternating; the p99 of the calls of either kind of window, compared.',
  ];
}

/** The section, without its markers. */
export function formatMetricsSection(f: MetricsFigures): string {
  const { scrape, unary, attach } = f.settings;
  return [
    '## Metrics: what --metrics-listen costs',
    '',
    `Written by \`npm run bench:metrics\` (bench/metrics/metricsBench.ts) on ${f.date}, in ${f.elapsedS.toFixed(0)} s.`,
    'It rewrites only this section.',
    '',
    ...machineLines(f.machine, {
      noise: 'work runs beside the benchmark and adds noise to both agents; the alternating order spreads it',
    }),
    '',
    ...methodLines(f),
    '',
    '### Figures',
    '',
    formatMarkdown(callTable(f)),
    '',
    formatMarkdown(throughputTable(f)),
    '',
    formatMarkdown(memoryTable(f)),
    '',
    ...floorLines(f).map((l) => `- ${l}`),
    '',
    formatMarkdown(scrapeTable(f)),
    '',
    formatMarkdown(stallTable(f)),
    '',
    `The ${scrape.endpoints} endpoints took ${(f.scrape.createMs / 1000).toFixed(1)} s to make (not timed against anything).`,
    '',
    '### Against the targets',
    '',
    "Issue 15 sets none for what metrics cost; these are the house's expectations: metrics on adds at most 5% to",
    "a call's median and takes at most 5% off the throughput, and a scrape of 1,000 endpoints takes at most 50 ms.",
    '',
    ...verdictLines(f).map((l) => `- ${l}`),
    '',
    '### Reproduce',
    '',
    '```sh',
    'npm run bench:metrics',
    `npm run bench:metrics -- --iterations ${unary.iterations} --warmup ${unary.warmup} --concurrency ${unary.concurrency} --rounds ${unary.rounds} \\`,
    `  --round-calls ${unary.callsPerRound} --attaches ${attach.attaches} --attach-warmup ${attach.warmup} --scrapes ${scrape.scrapes} \\`,
    `  --endpoints ${scrape.endpoints} --networks ${scrape.networks} --burst-rounds ${scrape.burstRounds} --burst-calls ${scrape.burstCalls} \\`,
    `  --scrape-interval-ms ${scrape.scrapeIntervalMs}   # this run's settings`,
    '```',
    '',
    'As root. It leaves nothing behind: its namespaces are named `mvbp-*` and removed at the start (leftovers',
    'of a killed run) and at the end, also on Ctrl-C; its agents go with them.',
  ].join('\n');
}
