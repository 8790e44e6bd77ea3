import fs from 'node:fs';
import type { Command } from 'commander';
import { describeFileError } from '../../../common/describeFileError';
import type { CliContext } from './CliContext';
import { CliUsageError } from './CliUsageError';
import { renderJson } from './format';
import { runFleetApply, type FleetApplyFlags } from './fleetApply';
import { rolloutFromFlags, type FleetRolloutFlags } from './fleetFlags';
import { openFleet, readFleetFile, type FleetSourceFlags } from './fleetOpen';
import { fleetPlanJson } from './fleetPlanFile';
import { renderFleetPlan } from './fleetPlanText';
import { renderStatusJson, renderStatusTable, statusOk } from './fleetTables';
import { fleetWatchOutput } from './fleetWatchLine';
import { collect } from './networkCreate';
import { watchOptionsFromFlags } from './watch';

const HELP = `
The fleet file (YAML or JSON, the proto mvnet.fleet.v1.FleetFile's JSON names) is the whole desired
state of the hosts it names, and how to roll it out:

  hosts:
    - {name: h1, address: 10.0.0.11:7443, labels: {rack: a}}
    - {name: h2, address: 10.0.0.12:7443}
  tls: {ca: ca.pem, cert: orchestrator.pem, key: orchestrator.key}   # relative to this file
  networks:
    - name: vlan30
      parent: eth0.30
      subnets: [{cidr: 192.168.30.0/24, gateway: 192.168.30.1, ipRangePerHost: 27}]
  endpoints:
    - {host: h1, name: web1, network: vlan30, netns: web1, ipv4Address: 192.168.30.10}
  rollout: {canary: 1, maxUnavailable: "25%", confirmWithin: 60s, probeGateways: false, maxFailures: 0}

On Kubernetes (deploy/kubernetes), the hosts can come from the agents' pods instead of hosts:

  kubectl -n mvnet get pods -l app.kubernetes.io/name=mvnet-agent -o json >pods.json
  mvnet fleet apply -f fleet.yaml --hosts-from-pods pods.json

Each running pod is a host named after its node (spec.nodeName), at its IP (status.podIP, the
node's address with host networking) and its container port named grpc. Pods not running yet or any
more (pending, finished, being deleted) are left out with a warning; a running pod without a node,
an IP or a port named grpc, or two on one node, is an error. The file then leaves hosts: out, so an
endpoint's host: is a node name, and networks go to every node (pods carry no host labels). The
list is read as JSON, at most 128 MiB; either it or the fleet file, not both, can be - (stdin).

The flags --canary, --max-unavailable and --confirm-within override the file's rollout; the TLS flags
(--tlsverify, --tlscacert, --tlscert, --tlskey) override its tls:, which overrides MVNET_CERT_PATH.
Exit status: 0 when every host is Available (a plan: nothing refused); 1 when a host failed, was
rolled back, aborted or changed since its plan, or the plan was refused; 2 for a usage or file error.`;

/** `-f` and `--hosts-from-pods`, on every fleet command. */
function sourceOptions(command: Command): Command {
  return command
    .option('-f, --filename <file>', 'the fleet file, or - for standard input')
    .option(
      '--hosts-from-pods <file>',
      "the hosts from the agents' pods: kubectl get pods -l app.kubernetes.io/name=mvnet-agent -o json (or -)",
    );
}

/** `--canary` and `--max-unavailable`, on plan (the waves it shows) and apply. */
function waveOptions(command: Command): Command {
  return command
    .option('--canary <N>', 'hosts changed first, alone (0 for none; default: the file, else 1)')
    .option(
      '--max-unavailable <N|P%>',
      'hosts changed at once after the canary: a count or a percentage (default: the file, else 25%)',
    );
}

/**
 * `mvnet fleet plan|apply|status|watch -f FILE [--hosts-from-pods PODS]`: one file for many hosts, on
 * the SDK's Fleet. The file, the pod list and the flags are checked before any host is asked (exit
 * status 2).
 */
export function registerFleet(program: Command, ctx: CliContext): void {
  const fleet = program
    .command('fleet')
    .description('Plan, roll out, check and watch one fleet file on many hosts')
    .addHelpText('after', HELP);

  waveOptions(
    sourceOptions(
      fleet
        .command('plan')
        .description("Show each host's plan and what the fleet refuses across hosts; change nothing")
        .usage('-f FILE|- [--hosts-from-pods PODS|-] [--out PLAN] [--canary N] [--max-unavailable N|P%]'),
    ).option('--out <file>', 'save the plan (JSON, with each host revision) for apply --plan'),
  ).action(async (flags: FleetRolloutFlags & FleetSourceFlags & { out?: string }) => {
    const file = await readFleetFile(flags, ctx);
    const spec = { ...file, rollout: rolloutFromFlags(file.rollout, flags, file.hosts.length) };
    const handle = openFleet(spec, ctx);
    try {
      const plan = await handle.plan();
      ctx.io.stdout(ctx.json ? renderJson(fleetPlanJson(plan)) : renderFleetPlan(plan, spec.rollout));
      if (flags.out !== undefined) {
        if (!plan.ok) ctx.io.stderr(`Not saved to ${flags.out}: a refused plan cannot be applied.\n`);
        else {
          writePlan(flags.out, renderJson(fleetPlanJson(plan)));
          const pods = flags.hostsFromPods === undefined ? '' : ` --hosts-from-pods ${flags.hostsFromPods}`;
          if (!ctx.json)
            ctx.io.stdout(
              `Saved the plan to ${flags.out}: mvnet fleet apply -f ${flags.filename}${pods} --plan ${flags.out}\n`,
            );
        }
      }
      if (!plan.ok) ctx.exitCode = 1;
    } finally {
      handle.close();
    }
  });

  waveOptions(
    sourceOptions(
      fleet
        .command('apply')
        .description('Roll the fleet file out: the canary, then waves, each host confirmed once it answers')
        .usage(
          '-f FILE|- [--hosts-from-pods PODS|-] [--plan PLAN] [--canary N] [--max-unavailable N|P%] [--confirm-within D] [--no-rollback]',
        ),
    ).option(
      '--plan <file>',
      'apply exactly this saved plan (fleet plan --out); a host moved since is left alone',
    ),
  )
    .option(
      '--confirm-within <duration>',
      "each host's confirm window: 1s to 1h (default: the file, else 60s)",
    )
    .option('--no-rollback', 'when the rollout fails, leave the hosts it changed as they are')
    .action((flags: FleetApplyFlags) => runFleetApply(flags, ctx));

  sourceOptions(
    fleet
      .command('status')
      .description('Each host: reachable, its revision, and how many objects differ from the file')
      .usage('-f FILE|- [--hosts-from-pods PODS|-]'),
  ).action(async (flags: FleetSourceFlags) => {
    const handle = openFleet(await readFleetFile(flags, ctx), ctx);
    try {
      const statuses = await handle.status();
      ctx.io.stdout(ctx.json ? renderStatusJson(statuses) : renderStatusTable(statuses));
      if (!statusOk(statuses)) ctx.exitCode = 1;
    } finally {
      handle.close();
    }
  });

  sourceOptions(
    fleet
      .command('watch')
      .description("Follow every host's changes live, one line per event with its host, until Ctrl-C")
      .usage('-f FILE|- [--hosts-from-pods PODS|-] [--kind K]... [--network NAME] [--bookmarks]'),
  )
    .option('--kind <kind>', 'only objects of this kind: network, endpoint or host (repeatable)', collect)
    .option('--network <name>', 'only this network and its endpoints')
    .option('--bookmarks', 'also print BOOKMARK lines in the table (JSON always has them)')
    .action(async (flags: FleetSourceFlags & { kind?: string[]; network?: string; bookmarks?: boolean }) => {
      const options = watchOptionsFromFlags({ kind: flags.kind, network: flags.network });
      const spec = await readFleetFile(flags, ctx);
      const handle = openFleet(spec, ctx);
      const width = Math.max(...spec.hosts.map((h) => h.name.length));
      const shown = { json: ctx.json, bookmarks: flags.bookmarks ?? false };
      try {
        for await (const item of handle.watch({ ...options, signal: ctx.io.signal })) {
          const { stdout, stderr } = fleetWatchOutput(item, width, shown);
          if (stdout) ctx.io.stdout(stdout);
          if (stderr) ctx.io.stderr(stderr);
        }
      } finally {
        handle.close();
      }
    });
}

function writePlan(file: string, text: string): void {
  try {
    fs.writeFileSync(file, text);
  } catch (err) {
    throw new CliUsageError(`--out ${file}: ${describeFileError(err)}`);
  }
}
