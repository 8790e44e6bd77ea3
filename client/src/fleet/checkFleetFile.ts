import type {
  FleetEndpoint,
  FleetFile,
  FleetHost,
  FleetNetwork,
  FleetSubnet,
} from '../../../proto/gen/mvnet/fleet/v1/fleet';
import { quoteText } from '../../../common/quoteText';
import type { SpecProblem } from '../spec/SpecError';
import { ipNumber, ipPrefix, formatIpPrefix, WIDTH } from './ipNumbers';
import { MAX_VLAN_ID, vlanInName } from './parentLink';
import { describeSelector, selectsHost } from './selectsHost';

/** The most hosts a fleet file names: ten times the largest fleet benchmarked. */
export const MAX_FLEET_HOSTS = 10_000;

/** The longest agent address: a host name of 253 characters and a port, or a unix socket's path. */
export const MAX_HOST_ADDRESS_CHARS = 512;

/** The most labels a host carries, and the longest key or value (Kubernetes' prefix/name bound). */
export const MAX_HOST_LABELS = 32;
export const MAX_HOST_LABEL_CHARS = 317;

/** A name of a host or network: 1-64 characters of A-Z a-z 0-9 _ . -, starting with a letter or digit. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const NAME_RULE = '1-64 characters of A-Z a-z 0-9 _ . -, starting with a letter or digit';

/** A MAC address as the agent takes it (lower or upper case, `:` or `-`). */
const MAC = /^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$/;

type Report = (path: string, message: string) => void;

/**
 * What is wrong with a fleet file on its own, before any host is asked, each problem with the path of
 * the field (JSON names): hosts (names, addresses, labels), networks (names, parents and VLANs, the
 * CIDRs and per-host ranges the fleet computes with, selectors that match no host) and endpoints (the
 * host and network they name, (host, network, name) unique, addresses of the right family, MACs). The
 * rest of a network or endpoint is the agent's to check, in each host's dry run. The rollout is
 * checked by rolloutPolicy.
 */
export function checkFleetFile(file: FleetFile): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const report: Report = (path, message) => problems.push({ path, message });
  checkHosts(file.hosts, report);
  const names = new Map<string, number>();
  file.networks.forEach((network, i) => {
    const at = `networks[${i}]`;
    checkName(network.name, `${at}.name`, names, i, 'networks', report);
    checkNetwork(network, file.hosts, at, report);
  });
  checkEndpoints(file, report);
  return problems;
}

function checkHosts(hosts: readonly FleetHost[], report: Report): void {
  if (hosts.length === 0) report('hosts', 'a fleet names at least one host');
  if (hosts.length > MAX_FLEET_HOSTS)
    report('hosts', `${hosts.length} hosts: a fleet file names at most ${MAX_FLEET_HOSTS}`);
  const names = new Map<string, number>();
  const addresses = new Map<string, number>();
  hosts.slice(0, MAX_FLEET_HOSTS).forEach((host, i) => {
    const at = `hosts[${i}]`;
    checkName(host.name, `${at}.name`, names, i, 'hosts', report);
    if (host.address === '')
      report(`${at}.address`, "required: the agent's address, host:port or unix:///path");
    else if (host.address.length > MAX_HOST_ADDRESS_CHARS || /[\s\p{Cc}\p{Cf}]/u.test(host.address))
      report(`${at}.address`, `${quoteText(host.address)} is not an address: host:port or unix:///path`);
    else {
      const key = host.address.toLowerCase();
      const first = addresses.get(key);
      if (first !== undefined)
        report(`${at}.address`, `${host.address} is also the address of hosts[${first}]`);
      else addresses.set(key, i);
    }
    const labels = Object.entries(host.labels);
    if (labels.length > MAX_HOST_LABELS)
      report(`${at}.labels`, `${labels.length} labels: a host carries at most ${MAX_HOST_LABELS}`);
    for (const [key, value] of labels) {
      if (key === '' || key.length > MAX_HOST_LABEL_CHARS || value.length > MAX_HOST_LABEL_CHARS)
        report(
          `${at}.labels`,
          `${quoteText(key)}: keys of 1-${MAX_HOST_LABEL_CHARS} characters, values of at most as many`,
        );
    }
  });
}

/** A name that follows the rule and is not given twice in its list. */
function checkName(
  name: string,
  path: string,
  seen: Map<string, number>,
  index: number,
  list: string,
  report: Report,
): void {
  if (!NAME.test(name)) {
    report(path, `${quoteText(name)} is not a name: ${NAME_RULE}`);
    return;
  }
  const first = seen.get(name);
  if (first === undefined) seen.set(name, index);
  else report(path, `${name} is also the name of ${list}[${first}]`);
}

function checkNetwork(network: FleetNetwork, hosts: readonly FleetHost[], at: string, report: Report): void {
  if (network.vlanId > MAX_VLAN_ID)
    report(`${at}.vlanId`, `${network.vlanId} is not a VLAN id: use 1-${MAX_VLAN_ID}, or 0 for none`);
  const named = network.parent.includes('.') ? vlanInName(network.parent) : undefined;
  if (network.parent.includes('.') && !named)
    report(
      `${at}.parent`,
      `${quoteText(network.parent)} is not a sub-interface name: use <link>.<vlan id 1-${MAX_VLAN_ID}>, e.g. "eth0.30"`,
    );
  if (named && network.vlanId !== 0 && network.vlanId !== named.vlanId)
    report(
      `${at}.vlanId`,
      `${network.vlanId} contradicts the parent ${quoteText(network.parent)} (VLAN ${named.vlanId}): drop vlanId or make them agree`,
    );
  const selector = Object.keys(network.hosts?.matchLabels ?? {});
  if (selector.length > 0 && !hosts.some((host) => selectsHost(network, host)))
    report(`${at}.hosts`, `matches no host of the file (matchLabels ${describeSelector(network)})`);
  network.subnets.forEach((subnet, j) => checkSubnet(subnet, `${at}.subnets[${j}]`, report));
}

/** The CIDR, ranges and reserved addresses of a subnet, which blocks and shims are computed from. */
function checkSubnet(subnet: FleetSubnet, at: string, report: Report): void {
  const parsed = ipPrefix(subnet.cidr);
  if (!parsed) report(`${at}.cidr`, `${quoteText(subnet.cidr)} is not a CIDR prefix like 192.168.30.0/24`);
  else if (!parsed.exact)
    report(
      `${at}.cidr`,
      `${subnet.cidr} has bits set past its prefix: write ${formatIpPrefix(parsed.prefix)}`,
    );
  if (subnet.gateway !== '' && !ipNumber(subnet.gateway))
    report(`${at}.gateway`, `${quoteText(subnet.gateway)} is not an IP address`);
  for (const [name, address] of Object.entries(subnet.auxAddresses)) {
    if (!ipNumber(address))
      report(`${at}.auxAddresses[${name}]`, `${quoteText(address)} is not an IP address`);
  }
  if (subnet.ipRange !== '' && !ipPrefix(subnet.ipRange)?.exact)
    report(`${at}.ipRange`, `${quoteText(subnet.ipRange)} is not a CIDR prefix like 192.168.30.128/25`);
  if (subnet.ipRangePerHost === 0) return;
  if (subnet.ipRange !== '')
    report(
      `${at}.ipRangePerHost`,
      'not with ipRange: give every host one ipRange, or each host a block of its own',
    );
  if (!parsed) return;
  const { bits, family } = parsed.prefix;
  if (subnet.ipRangePerHost < bits || subnet.ipRangePerHost > WIDTH[family])
    report(
      `${at}.ipRangePerHost`,
      `/${subnet.ipRangePerHost} does not fit in ${formatIpPrefix(parsed.prefix)}: each host's block is a prefix length from ${bits} to ${WIDTH[family]}`,
    );
}

function checkEndpoints(file: FleetFile, report: Report): void {
  const hosts = new Map(file.hosts.map((h) => [h.name, h]));
  const networks = new Map(file.networks.map((n) => [n.name, n]));
  const seen = new Map<string, number>();
  file.endpoints.forEach((endpoint, i) => {
    const at = `endpoints[${i}]`;
    const host = hosts.get(endpoint.host);
    if (endpoint.host === '') report(`${at}.host`, 'required: the name of the host the endpoint is on');
    else if (!host) report(`${at}.host`, `${quoteText(endpoint.host)} is not a host of the file`);
    const network = networks.get(endpoint.network);
    if (endpoint.network === '') report(`${at}.network`, 'required: the name of a network of the file');
    else if (!network) report(`${at}.network`, `${quoteText(endpoint.network)} is not a network of the file`);
    else if (host && !selectsHost(network, host))
      report(
        `${at}.network`,
        `network ${network.name} does not go to host ${host.name} (its hosts: ${describeSelector(network)})`,
      );
    const key = JSON.stringify([endpoint.host, endpoint.network, endpoint.name]);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else
      report(
        `${at}.name`,
        `endpoint ${quoteText(endpoint.name)} of network ${quoteText(endpoint.network)} on host ${quoteText(endpoint.host)} is also endpoints[${first}]`,
      );
    checkEndpointAddresses(endpoint, at, report);
  });
}

function checkEndpointAddresses(endpoint: FleetEndpoint, at: string, report: Report): void {
  for (const [field, family] of [
    ['ipv4Address', 4],
    ['ipv6Address', 6],
  ] as const) {
    const text = endpoint[field];
    if (text !== '' && ipNumber(text)?.family !== family)
      report(`${at}.${field}`, `${quoteText(text)} is not an IPv${family} address`);
  }
  if (endpoint.macAddress !== '' && !MAC.test(endpoint.macAddress))
    report(
      `${at}.macAddress`,
      `${quoteText(endpoint.macAddress)} is not a MAC address like 02:42:c0:a8:00:03`,
    );
}
