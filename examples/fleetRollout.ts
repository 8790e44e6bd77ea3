/**
 * A small orchestrator on the SDK's Fleet: rolls VLAN 30 out to the hosts named on the command line
 * (each host its own /27 of the subnet), one canary first, then the rest two at a time, each host's
 * change confirmed once it answers again; then follows every host's changes until Ctrl-C.
 *
 *     node dist/examples/fleetRollout.js h1=10.0.0.11:7443 h2=10.0.0.12:7443 h3=10.0.0.13:7443
 *
 * TLS as the CLI takes it from the environment (MVNET_TLS_VERIFY, MVNET_CERT_PATH).
 */
import { clientOptionsFromEnv, Fleet, FleetRefusedError } from '../client/src';
import { FleetHost, FleetNetwork } from '../proto/gen/mvnet/fleet/v1/fleet';
import { eventTypeToJSON } from '../proto/gen/mvnet/v1/watch';

async function main(): Promise<number> {
  const hosts = process.argv.slice(2).map((arg) => {
    const [name, address] = arg.split('=');
    return FleetHost.fromPartial({ name, address });
  });
  const vlan30 = FleetNetwork.fromPartial({
    name: 'vlan30',
    parent: 'eth0.30', // made by each agent, VLAN 30 on eth0
    subnets: [{ cidr: '192.168.30.0/24', gateway: '192.168.30.1', ipRangePerHost: 27 }],
  });
  const { host: _local, ...tls } = clientOptionsFromEnv(process.env);
  const fleet = new Fleet(
    {
      hosts,
      networks: [vlan30],
      endpoints: [],
      rollout: {
        canary: 1,
        maxUnavailable: { count: 2 },
        confirmWithinMs: 60_000,
        probeGateways: true, // a host whose gateway does not answer on VLAN 30 rolls back
        maxFailures: 0,
      },
    },
    { client: tls },
  );
  try {
    const last = new Map<string, string>();
    try {
      for await (const p of fleet.apply()) {
        console.log(`${p.host} (wave ${p.wave}): ${p.state} ${p.message}`);
        last.set(p.host, p.state);
      }
    } catch (err) {
      if (!(err instanceof FleetRefusedError)) throw err;
      console.error(err.message); // one address on two hosts, a host unreachable...: nothing changed
      return 1;
    }
    if ([...last.values()].some((state) => state !== 'Available')) return 1;

    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    for await (const item of fleet.watch({ signal: stop.signal })) {
      if ('retry' in item) console.error(`${item.host}: stream broken, resuming`);
      else if (!item.event.relist)
        console.log(`${item.host} ${item.event.revision} ${eventTypeToJSON(item.event.type)}`);
    }
    return 0;
  } finally {
    fleet.close();
  }
}

void main().then((code) => process.exit(code));
