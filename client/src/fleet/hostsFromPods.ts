import net from 'node:net';
import { quoteText } from '../../../common/quoteText';
import { MAX_SPEC_PROBLEMS } from '../spec/protoJsonFromYaml';
import { SpecError, type SpecProblem } from '../spec/SpecError';
import { MAX_FLEET_HOSTS } from './checkFleetFile';
import type { FleetHost } from './fleetTypes';

/** The agents' pods, as they are listed: what the hosts-from-pods messages suggest. */
export const AGENT_PODS_COMMAND = 'kubectl get pods -l app.kubernetes.io/name=mvnet-agent -o json';

/**
 * The largest pod list read: 128 MiB, room for MAX_FLEET_HOSTS pods of about 12 KiB each in kubectl's
 * JSON (the DaemonSet's pod template alone is 5.4 KiB; the API server adds defaults, tolerations and
 * the status). The fleet file's 4 MiB would stop at some 400 nodes.
 */
export const MAX_POD_LIST_BYTES = 128 * 1024 * 1024;

/** The container port whose number the agent serves its API on (deploy/kubernetes/daemonset.yaml). */
export const GRPC_PORT_NAME = 'grpc';

/** A fleet host's name, as checkFleetFile takes it: node names longer or odder than this are refused. */
const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The fleet's hosts read from a pod list, and the pods left out (one line each, for a warning). */
export interface PodHosts {
  hosts: FleetHost[];
  skipped: string[];
}

/** The fields of a pod this reads; everything else in kubectl's output is ignored. */
interface PodFields {
  kind?: unknown;
  metadata?: { name?: unknown; deletionTimestamp?: unknown };
  spec?: { nodeName?: unknown; containers?: unknown };
  status?: { phase?: unknown; podIP?: unknown };
}

type Report = (path: string, message: string) => void;

/**
 * The fleet's hosts from `kubectl get pods -l app.kubernetes.io/name=mvnet-agent -o json` (a v1 List of
 * Pods, or one Pod): each running agent pod is a host named after its node (`spec.nodeName`), at its
 * IP (`status.podIP`, the node's address with host networking; IPv6 in brackets) and the port of its
 * container port named grpc. Sorted by node name, so that the canary does not change with pod names.
 *
 * Pods that cannot be reached yet or any more are left out and listed in `skipped`, as kubectl's own
 * rollouts count only running pods: pending (not scheduled, no IP yet), finished, or being deleted (the
 * old pod of a node during a rolling update). Anything else is refused with every problem at once, in
 * a SpecError naming `source`: not JSON, not a List of Pods, a running pod without a node name, an IP
 * or a port named grpc, a node name that is not a fleet host name, two running pods on one node, or
 * no running pod at all.
 */
export function hostsFromPods(text: string, source: string): PodHosts {
  const problems: SpecProblem[] = [];
  const report: Report = (path, message) => problems.push({ path, message });
  const refuse = () =>
    new SpecError(
      source,
      problems.slice(0, MAX_SPEC_PROBLEMS),
      Math.max(0, problems.length - MAX_SPEC_PROBLEMS),
      'the pod list',
    );
  const pods = podsOf(text, report);
  if (!pods) throw refuse();
  const hosts: (FleetHost & { pod: string })[] = [];
  const skipped: string[] = [];
  for (const { pod, at } of pods) {
    const host = hostOf(pod, at, report, skipped);
    if (host) hosts.push(host);
  }
  checkUnique(hosts, report);
  if (problems.length === 0 && hosts.length === 0)
    report(
      '',
      pods.length === 0
        ? `no pods: check the label and the namespace (${AGENT_PODS_COMMAND} -n mvnet)`
        : `no running agent pod: ${skipped.join('; ')}`,
    );
  if (problems.length > 0) throw refuse();
  hosts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { hosts: hosts.map(({ name, address, labels }) => ({ name, address, labels })), skipped };
}

/**
 * The pods of the document, each with the prefix of its fields' paths (`items[3].`): a List's items,
 * or the one Pod; undefined (reported) for anything else.
 */
function podsOf(text: string, report: Report): { pod: PodFields; at: string }[] | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    report('', `not JSON (${(err as Error).message}): give the output of ${AGENT_PODS_COMMAND}`);
    return undefined;
  }
  const { apiVersion, kind, items } = (isObject(doc) ? doc : {}) as Record<string, unknown>;
  if (apiVersion === 'v1' && kind === 'Pod') return [{ pod: doc as PodFields, at: '' }];
  if (apiVersion !== 'v1' || (kind !== 'List' && kind !== 'PodList') || !Array.isArray(items)) {
    const what = isObject(doc)
      ? `apiVersion ${quoteText(String(apiVersion))}, kind ${quoteText(String(kind))}`
      : `a JSON ${Array.isArray(doc) ? 'array' : typeof doc}`;
    report('', `expected a v1 List of Pods (${AGENT_PODS_COMMAND}), not ${what}`);
    return undefined;
  }
  if (items.length > MAX_FLEET_HOSTS) {
    report('items', `${items.length} pods: a fleet has at most ${MAX_FLEET_HOSTS} hosts`);
    return undefined;
  }
  return items.map((item, i) => {
    if (!isObject(item) || item.kind !== 'Pod')
      report(
        `items[${i}]`,
        `not a Pod (kind ${quoteText(String(isObject(item) ? item.kind : typeof item))})`,
      );
    return { pod: (isObject(item) ? item : {}) as PodFields, at: `items[${i}].` };
  });
}

/**
 * One pod's host, or undefined: skipped (and said why in `skipped`) when it is not running, reported
 * when it runs but cannot be a host.
 */
function hostOf(
  pod: PodFields,
  at: string,
  report: Report,
  skipped: string[],
): (FleetHost & { pod: string }) | undefined {
  if (pod.kind !== 'Pod') return undefined; // reported by podsOf
  const name = typeof pod.metadata?.name === 'string' ? pod.metadata.name : '';
  const node = pod.spec?.nodeName;
  const phase = pod.status?.phase;
  const ip = pod.status?.podIP;
  const called = `pod ${quoteText(name)}`;
  const on = typeof node === 'string' && node !== '' ? ` on ${quoteText(node)}` : '';
  if (pod.metadata?.deletionTimestamp != null) return skip(skipped, `${called}${on}: being deleted`);
  if (phase !== 'Running')
    return skip(
      skipped,
      `${called}${on}: ${typeof phase === 'string' ? quoteText(phase) : 'no phase'}, not Running`,
    );
  if (typeof node !== 'string' || node === '') {
    report(`${at}spec.nodeName`, `${called} is Running but names no node`);
    return undefined;
  }
  if (!HOST_NAME.test(node))
    report(
      `${at}spec.nodeName`,
      `${called}: the node name ${quoteText(node)} is not a fleet host name (1-64 characters of A-Z a-z 0-9 _ . -, starting with a letter or digit)`,
    );
  if (ip === undefined || ip === null || ip === '') {
    return skip(skipped, `${called}${on}: Running, no IP yet`);
  }
  const family = typeof ip === 'string' ? net.isIP(ip) : 0;
  if (family === 0) report(`${at}status.podIP`, `${called}: ${quoteText(String(ip))} is not an IP address`);
  const port = grpcPort(pod, `${at}spec.containers`, called, report);
  if (family === 0 || port === undefined || !HOST_NAME.test(node)) return undefined;
  const address = family === 6 ? `[${ip as string}]:${port}` : `${ip as string}:${port}`;
  return { name: node, address, labels: {}, pod: name };
}

/** The containerPort named grpc: exactly one in the pod's containers, a port number. */
function grpcPort(pod: PodFields, at: string, called: string, report: Report): number | undefined {
  const containers = Array.isArray(pod.spec?.containers) ? (pod.spec.containers as unknown[]) : [];
  const found: { path: string; port: unknown }[] = [];
  containers.forEach((container, i) => {
    const ports = isObject(container) && Array.isArray(container.ports) ? (container.ports as unknown[]) : [];
    ports.forEach((port, j) => {
      if (isObject(port) && port.name === GRPC_PORT_NAME)
        found.push({ path: `${at}[${i}].ports[${j}]`, port: port.containerPort });
    });
  });
  if (found.length !== 1) {
    report(
      at,
      found.length === 0
        ? `${called} has no container port named ${GRPC_PORT_NAME}: is it an mvnet-agent pod?`
        : `${called} has ${found.length} container ports named ${GRPC_PORT_NAME}`,
    );
    return undefined;
  }
  const { path, port } = found[0];
  if (typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535) return port;
  report(`${path}.containerPort`, `${called}: ${quoteText(String(port))} is not a port number (1-65535)`);
  return undefined;
}

/** One agent per node, and one node per address. */
function checkUnique(hosts: readonly (FleetHost & { pod: string })[], report: Report): void {
  const clash = {
    name: (first: string, host: FleetHost & { pod: string }) =>
      `pods ${quoteText(first)} and ${quoteText(host.pod)} both run on node ${quoteText(host.name)}: one agent a node (two DaemonSets with the label?)`,
    address: (first: string, host: FleetHost & { pod: string }) =>
      `pods ${quoteText(first)} and ${quoteText(host.pod)} both serve ${host.address}`,
  };
  for (const key of ['name', 'address'] as const) {
    const pods = new Map<string, string>();
    for (const host of hosts) {
      const first = pods.get(host[key]);
      if (first === undefined) pods.set(host[key], host.pod);
      else report('', clash[key](first, host));
    }
  }
}

function skip(skipped: string[], line: string): undefined {
  skipped.push(line);
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
