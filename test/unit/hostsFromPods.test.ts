/**
 * `mvnet fleet --hosts-from-pods`: the pod list of `kubectl get pods -o json` read into the fleet's
 * hosts (hostsFromPods), pods not running left out with a warning, hostile lists refused naming what
 * is wrong; and the CLI's refusals, all before any host is asked (exit status 2).
 */
import { runMvnet } from '../support/runMvnet';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MAX_FLEET_HOSTS } from '../../client/src/fleet/checkFleetFile';
import { hostsFromPods } from '../../client/src/fleet/hostsFromPods';
import { agentPod, podList } from '../support/agentPods';

const read = (doc: unknown) => hostsFromPods(JSON.stringify(doc), 'pods.json');
const refusal = (doc: unknown) => {
  try {
    read(doc);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('not refused');
};

describe('the hosts of a pod list', () => {
  it("makes a host of each running pod: its node's name, its IP and the port named grpc, sorted by node", () => {
    const pods = podList([
      agentPod({ node: 'node-b', ip: '10.0.0.12' }),
      agentPod({ node: 'node-a', ip: '10.0.0.11', grpcPort: 8443 }),
    ]);
    expect(read(pods)).toEqual({
      hosts: [
        { name: 'node-a', address: '10.0.0.11:8443', labels: {} },
        { name: 'node-b', address: '10.0.0.12:7443', labels: {} },
      ],
      skipped: [],
    });
  });

  it('puts an IPv6 pod IP in brackets', () => {
    expect(read(podList([agentPod({ node: 'n6', ip: 'fd00::6' })])).hosts).toEqual([
      { name: 'n6', address: '[fd00::6]:7443', labels: {} },
    ]);
  });

  it('takes one Pod as well as a List (kubectl get pod NAME -o json)', () => {
    expect(read(agentPod({ node: 'node-a', ip: '10.0.0.11' })).hosts).toEqual([
      { name: 'node-a', address: '10.0.0.11:7443', labels: {} },
    ]);
  });

  it('finds the port named grpc in whichever container has it', () => {
    const pod = agentPod({ node: 'node-a', ip: '10.0.0.11' });
    pod.spec.containers.unshift({ name: 'sidecar', ports: [{ name: 'http', containerPort: 80 }] });
    expect(read(podList([pod])).hosts[0].address).toBe('10.0.0.11:7443');
  });

  it('leaves out pods that are pending, finished or being deleted, and says why', () => {
    const result = read(
      podList([
        agentPod({ name: 'a', node: 'node-a', ip: '10.0.0.11' }),
        agentPod({ name: 'unscheduled', phase: 'Pending' }),
        agentPod({ name: 'starting', node: 'node-c', phase: 'Pending' }),
        agentPod({ name: 'done', node: 'node-d', ip: '10.0.0.14', phase: 'Failed' }),
        agentPod({ name: 'old', node: 'node-a', ip: '10.0.0.11', deleting: true }),
        agentPod({ name: 'no-ip', node: 'node-e' }),
      ]),
    );
    expect(result).toEqual({
      hosts: [{ name: 'node-a', address: '10.0.0.11:7443', labels: {} }],
      skipped: [
        'pod "unscheduled": "Pending", not Running',
        'pod "starting" on "node-c": "Pending", not Running',
        'pod "done" on "node-d": "Failed", not Running',
        'pod "old" on "node-a": being deleted',
        'pod "no-ip" on "node-e": Running, no IP yet',
      ],
    });
  });
});

describe('a pod list refused', () => {
  it.each([
    [
      'not JSON',
      'pods: []',
      /^pods.json: 1 error in the pod list:\n {2}pods.json: not JSON \(Unexpected token/,
    ],
    ['a JSON array', [], /expected a v1 List of Pods \(kubectl get pods .* -o json\), not a JSON array$/],
    [
      'another kind of list',
      { apiVersion: 'apps/v1', kind: 'DaemonSetList', items: [] },
      /not apiVersion "apps\/v1", kind "DaemonSetList"$/,
    ],
    ['a List without items', { apiVersion: 'v1', kind: 'List' }, /expected a v1 List of Pods/],
    ['an empty List', podList([]), /no pods: check the label and the namespace/],
  ])('%s', (_, doc, message) => {
    expect(typeof doc === 'string' ? refuse(doc) : refusal(doc)).toMatch(message);
  });

  it('lists every problem of every pod, with the path of its field', () => {
    const noPort = agentPod({ name: 'web', node: 'node-a', ip: '10.0.0.11' });
    noPort.spec.containers[0].ports = [{ name: 'http', containerPort: 80 }];
    const message = refusal(
      podList([
        noPort,
        agentPod({ name: 'b', node: 'node b', ip: '10.0.0.12' }),
        agentPod({ name: 'c', node: 'node-c', ip: '10.0.0.999' }),
        agentPod({ name: 'd', node: 'node-d', ip: '10.0.0.14', grpcPort: '7443' }),
        agentPod({ name: 'e', node: 'n'.repeat(65), ip: '10.0.0.15' }),
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'mvnet-agent' } },
      ]),
    );
    expect(message.split('\n')).toEqual([
      'pods.json: 6 errors in the pod list:',
      '  pods.json: items[5]: not a Pod (kind "Service")',
      '  pods.json: items[0].spec.containers: pod "web" has no container port named grpc: is it an mvnet-agent pod?',
      '  pods.json: items[1].spec.nodeName: pod "b": the node name "node b" is not a fleet host name (1-64 characters of A-Z a-z 0-9 _ . -, starting with a letter or digit)',
      '  pods.json: items[2].status.podIP: pod "c": "10.0.0.999" is not an IP address',
      '  pods.json: items[3].spec.containers[0].ports[0].containerPort: pod "d": "7443" is not a port number (1-65535)',
      `  pods.json: items[4].spec.nodeName: pod "e": the node name "${'n'.repeat(64)}..." (65 characters) is not a fleet host name (1-64 characters of A-Z a-z 0-9 _ . -, starting with a letter or digit)`,
    ]);
  });

  it('refuses two running agents on one node, and two pods on one address', () => {
    const message = refusal(
      podList([
        agentPod({ name: 'a1', node: 'node-a', ip: '10.0.0.11' }),
        agentPod({ name: 'a2', node: 'node-a', ip: '10.0.0.12' }),
        agentPod({ name: 'b', node: 'node-b', ip: '10.0.0.11' }),
      ]),
    );
    expect(message).toContain(
      'pods "a1" and "a2" both run on node "node-a": one agent a node (two DaemonSets with the label?)',
    );
    expect(message).toContain('pods "a1" and "b" both serve 10.0.0.11:7443');
  });

  it('refuses two ports named grpc, and a running pod without a node', () => {
    const twice = agentPod({ name: 'twice', node: 'node-a', ip: '10.0.0.11' });
    twice.spec.containers.push({ name: 'copy', ports: [{ name: 'grpc', containerPort: 7443 }] });
    const message = refusal(podList([twice, agentPod({ name: 'nowhere', ip: '10.0.0.12' })]));
    expect(message).toContain('items[0].spec.containers: pod "twice" has 2 container ports named grpc');
    expect(message).toContain('items[1].spec.nodeName: pod "nowhere" is Running but names no node');
  });

  it('refuses a list where no agent runs yet, saying which pods it saw', () => {
    expect(refusal(podList([agentPod({ name: 'p', phase: 'Pending' })]))).toContain(
      'no running agent pod: pod "p": "Pending", not Running',
    );
  });

  it('refuses more pods than a fleet has hosts, before reading them', () => {
    const items = Array.from({ length: MAX_FLEET_HOSTS + 1 }, () => ({}));
    expect(refusal({ apiVersion: 'v1', kind: 'List', items })).toContain(
      `items: ${MAX_FLEET_HOSTS + 1} pods: a fleet has at most ${MAX_FLEET_HOSTS} hosts`,
    );
  });

  it('escapes control characters in what it quotes', () => {
    const message = refusal(podList([agentPod({ name: 'x\u001b[2J', node: 'node-a', ip: '1.2.3.4\u0007' })]));
    expect(message).toContain('pod "x\\u001b[2J": "1.2.3.4\\u0007" is not an IP address');
    expect([...message].filter((c) => c !== '\n' && c.charCodeAt(0) < 0x20)).toEqual([]);
  });
});

function refuse(text: string): string {
  try {
    hostsFromPods(text, 'pods.json');
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('not refused');
}

describe('mvnet fleet --hosts-from-pods: refused before any host is asked', () => {
  let dir: string;
  let fleetFile: string;
  let podsFile: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-pods-'));
    fleetFile = path.join(dir, 'fleet.yaml');
    fs.writeFileSync(
      fleetFile,
      'networks:\n  - {name: lan, parent: eth0, subnets: [{cidr: 192.168.9.0/24, gateway: 192.168.9.1}]}\n',
    );
    podsFile = path.join(dir, 'pods.json');
    // Port 1 on loopback: were it asked, the host would be unreachable (exit status 1), not refused (2).
    fs.writeFileSync(
      podsFile,
      JSON.stringify(podList([agentPod({ node: 'node-a', ip: '127.0.0.1', grpcPort: 1 })])),
    );
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const mvnet = runMvnet;

  it.each([['plan'], ['apply'], ['status'], ['watch']])(
    'fleet %s refuses standard input for both -f and --hosts-from-pods',
    async (cmd) => {
      expect(await mvnet(['fleet', cmd, '-f', '-', '--hosts-from-pods', '-'], '{}')).toEqual({
        code: 2,
        stdout: '',
        stderr:
          'Error: -f - and --hosts-from-pods -: only one of them can be standard input; give the other as a file\n',
      });
    },
  );

  it('refuses a fleet file that names hosts: as well', async () => {
    const withHosts = path.join(dir, 'hosts.yaml');
    fs.writeFileSync(withHosts, 'hosts:\n  - {name: h1, address: 127.0.0.1:1}\n');
    const run = await mvnet(['fleet', 'plan', '-f', withHosts, '--hosts-from-pods', podsFile]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'hosts: the hosts come from the pod list (--hosts-from-pods): leave hosts: out of the file',
    );
  });

  it('refuses a pod list that is not one, naming the flag, from a file or from stdin', async () => {
    const fromStdin = await mvnet(['fleet', 'status', '-f', fleetFile, '--hosts-from-pods', '-'], 'not json');
    expect(fromStdin.code).toBe(2);
    expect(fromStdin.stderr).toMatch(
      /^Error: --hosts-from-pods: <stdin>: 1 error in the pod list:\n {2}<stdin>: not JSON/,
    );
    const missing = await mvnet([
      'fleet',
      'status',
      '-f',
      fleetFile,
      '--hosts-from-pods',
      path.join(dir, 'none'),
    ]);
    expect(missing).toMatchObject({
      code: 2,
      stderr: `Error: --hosts-from-pods: ${path.join(dir, 'none')}: no such file (ENOENT)\n`,
    });
  });

  it("reads a pod list past the fleet file's 4 MiB, and refuses one over 128 MiB without reading it all", async () => {
    // A large cluster's list: the pod the hosts come from, padded past 4 MiB. Read, then its host asked.
    const large = path.join(dir, 'large.json');
    fs.writeFileSync(large, fs.readFileSync(podsFile, 'utf8') + ' '.repeat(5 * 1024 * 1024));
    const read = await mvnet(['fleet', 'status', '-f', fleetFile, '--hosts-from-pods', large]);
    expect(read.code).toBe(1); // node-a unreachable (port 1): the list was taken
    expect(read.stderr).not.toContain('larger than');
    const big = path.join(dir, 'big.json');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 128 * 1024 * 1024 + 1); // sparse: no disk for the zeros
    const run = await mvnet(['fleet', 'plan', '-f', fleetFile, '--hosts-from-pods', big]);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: `Error: --hosts-from-pods: ${big}: larger than 128 MiB: a pod list is at most 134217728 bytes\n`,
    });
  });

  it('refuses an endpoint on a node no pod runs on, as a host the fleet does not have', async () => {
    const file = path.join(dir, 'endpoint.yaml');
    fs.writeFileSync(
      file,
      'networks:\n  - {name: lan, parent: eth0, subnets: [{cidr: 192.168.9.0/24, gateway: 192.168.9.1}]}\nendpoints:\n  - {host: node-z, name: c1, network: lan, netns: c1}\n',
    );
    const run = await mvnet(['fleet', 'plan', '-f', file, '--hosts-from-pods', podsFile]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('endpoints[0].host: "node-z" is not a host of the file');
  });
});
