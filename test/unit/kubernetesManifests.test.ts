/**
 * deploy/kubernetes as CI checks it: every YAML document in it parses and is valid against the
 * Kubernetes schemas of its kind (test/support/kubernetesSchemas.ts), everything carries the label
 * app.kubernetes.io/name: mvnet-agent, kustomization.yaml lists the manifests beside it, and the
 * DaemonSet has what issue 15 asks of it: named ports, gRPC probes on the health port, RollingUpdate
 * with maxUnavailable 1, /var/run/netns shared both ways, state on a hostPath.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { kubernetesSchemaProblems } from '../support/kubernetesSchemas';

const DIR = path.join(__dirname, '../../deploy/kubernetes');
const NAME_LABEL = 'app.kubernetes.io/name';

interface Manifest {
  file: string;
  object: Record<string, unknown> & {
    kind?: string;
    metadata?: { name?: string; labels?: Record<string, string> };
  };
}

function yamlFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? yamlFiles(path.join(dir, entry.name))
        : /\.ya?ml$/.test(entry.name)
          ? [path.join(dir, entry.name)]
          : [],
    )
    .sort();
}

/** Every document of every file but kustomization.yaml, each a parsed object; a YAML error fails. */
function readManifests(): Manifest[] {
  return yamlFiles(DIR)
    .filter((file) => path.basename(file) !== 'kustomization.yaml')
    .flatMap((file) =>
      parseAllDocuments(fs.readFileSync(file, 'utf8')).map((doc) => {
        if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
        return { file: path.relative(DIR, file), object: doc.toJS() as Manifest['object'] };
      }),
    );
}

const manifests = readManifests();
const daemonSet = manifests.find((m) => m.object.kind === 'DaemonSet')!.object as unknown as DaemonSetShape;
const agent = daemonSet.spec.template.spec.containers.find((c) => c.name === 'agent')!;

interface DaemonSetShape {
  spec: {
    selector: { matchLabels: Record<string, string> };
    updateStrategy: { type: string; rollingUpdate: { maxUnavailable: number } };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        hostNetwork: boolean;
        hostPID: boolean;
        containers: ContainerShape[];
        volumes: { name: string; hostPath?: { path: string }; secret?: { secretName: string } }[];
      };
    };
  };
}

interface ContainerShape {
  name: string;
  args: string[];
  ports: { name: string; containerPort: number }[];
  startupProbe?: { grpc?: { port: number } };
  readinessProbe?: { grpc?: { port: number } };
  livenessProbe?: { grpc?: { port: number } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  volumeMounts: { name: string; mountPath: string; mountPropagation?: string }[];
}

const portNamed = (name: string) => agent.ports.find((p) => p.name === name)?.containerPort;

describe('the Kubernetes manifests of deploy/kubernetes', () => {
  it('are documents of every kind the deployment needs', () => {
    expect(new Set(manifests.map((m) => m.object.kind))).toEqual(
      new Set([
        'Namespace',
        'ConfigMap',
        'DaemonSet',
        'PodDisruptionBudget',
        'Service',
        'ServiceMonitor',
        'Issuer',
        'Certificate',
      ]),
    );
  });

  it.each(manifests.map((m) => [`${m.file}: ${m.object.kind} ${m.object.metadata?.name}`, m]))(
    '%s is valid against its schema and carries the app.kubernetes.io/name label',
    (_, manifest) => {
      expect(kubernetesSchemaProblems(manifest.object)).toEqual([]);
      expect(manifest.object.metadata?.labels?.[NAME_LABEL]).toBe('mvnet-agent');
    },
  );

  it('lists every manifest outside examples/ in kustomization.yaml, and nothing else', () => {
    const kustomization = parseAllDocuments(
      fs.readFileSync(path.join(DIR, 'kustomization.yaml'), 'utf8'),
    )[0].toJS() as { resources: string[] };
    const beside = yamlFiles(DIR)
      .map((file) => path.relative(DIR, file))
      .filter((file) => !file.startsWith('examples/') && file !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(beside);
  });
});

describe('the DaemonSet', () => {
  it('selects and labels its pods by app.kubernetes.io/name, which --hosts-from-pods selects', () => {
    expect(daemonSet.spec.selector.matchLabels).toEqual({ [NAME_LABEL]: 'mvnet-agent' });
    expect(daemonSet.spec.template.metadata.labels[NAME_LABEL]).toBe('mvnet-agent');
  });

  it('rolls out one node at a time', () => {
    expect(daemonSet.spec.updateStrategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 1 },
    });
  });

  it('names its ports grpc (7443), health (7444) and metrics (9464), each the port its flag listens on', () => {
    expect({ grpc: portNamed('grpc'), health: portNamed('health'), metrics: portNamed('metrics') }).toEqual({
      grpc: 7443,
      health: 7444,
      metrics: 9464,
    });
    expect(agent.args).toEqual(
      expect.arrayContaining([
        '--listen=0.0.0.0:7443',
        '--health-listen=0.0.0.0:7444',
        '--metrics-listen=0.0.0.0:9464',
        '--metrics-insecure',
      ]),
    );
  });

  it('probes liveness, readiness and startup over gRPC health on the port named health', () => {
    for (const probe of [agent.livenessProbe, agent.readinessProbe, agent.startupProbe])
      expect(probe).toEqual(expect.objectContaining({ grpc: { port: portNamed('health') } }));
  });

  it('serves mutual TLS from the Secret, never plaintext on the network', () => {
    expect(agent.args).toEqual(expect.arrayContaining(['--tlsverify', '--tlscacert=/etc/mvnet/tls/ca.pem']));
    expect(agent.args.some((a) => a.startsWith('--insecure'))).toBe(false);
    const tls = daemonSet.spec.template.spec.volumes.find((v) => v.name === 'tls');
    expect(tls?.secret?.secretName).toBe('mvnet-agent-tls');
  });

  it("is on the node's network and pid namespaces, shares /var/run/netns both ways and keeps state on the node", () => {
    const { hostNetwork, hostPID, volumes } = daemonSet.spec.template.spec;
    expect({ hostNetwork, hostPID }).toEqual({ hostNetwork: true, hostPID: true });
    const mount = (dir: string) => agent.volumeMounts.find((m) => m.mountPath === dir);
    expect(mount('/var/run/netns')?.mountPropagation).toBe('Bidirectional');
    const hostPathOf = (dir: string) => volumes.find((v) => v.name === mount(dir)?.name)?.hostPath?.path;
    expect(hostPathOf('/var/run/netns')).toBe('/var/run/netns');
    expect(hostPathOf('/var/lib/mvnet')).toBe('/var/lib/mvnet');
    expect(agent.args).toContain('--state-dir=/var/lib/mvnet');
  });

  it('requests memory and limits it above the peak RSS measured at 1,000 endpoints and watchers (183 MiB)', () => {
    const mebibytes = (text: string) => Number(/^(\d+)Mi$/.exec(text)?.[1]);
    expect(mebibytes(agent.resources.requests.memory)).toBeGreaterThanOrEqual(157);
    expect(mebibytes(agent.resources.limits.memory)).toBeGreaterThan(183);
  });
});

describe('the headless Service', () => {
  it('selects the agents without a cluster IP, on the ports named grpc and metrics', () => {
    const service = manifests.find((m) => m.object.kind === 'Service')!.object as {
      spec: {
        clusterIP: string;
        selector: Record<string, string>;
        ports: { name: string; targetPort: string }[];
      };
    };
    expect(service.spec.clusterIP).toBe('None');
    expect(service.spec.selector).toEqual({ [NAME_LABEL]: 'mvnet-agent' });
    expect(service.spec.ports.map((p) => [p.name, p.targetPort])).toEqual([
      ['grpc', 'grpc'],
      ['metrics', 'metrics'],
    ]);
  });
});

describe('the validation itself', () => {
  it('refuses a broken DaemonSet, naming each wrong field', () => {
    const broken = structuredClone(daemonSet);
    const container: Partial<ContainerShape> = broken.spec.template.spec.containers[0];
    Object.assign(container.ports![0], { containerPort: 'grpc' });
    Object.assign(
      container.volumeMounts!.find((m) => m.mountPropagation)!,
      { mountPropagation: 'Both' },
    );
    delete container.name;
    expect(kubernetesSchemaProblems(broken)).toEqual(
      expect.arrayContaining([
        'spec/template/spec/containers/0 must have required property name',
        'spec/template/spec/containers/0/ports/0/containerPort must be integer',
        expect.stringMatching(
          /^spec\/template\/spec\/containers\/0\/volumeMounts\/\d+\/mountPropagation must be equal to one of the allowed values: Bidirectional, HostToContainer, None$/,
        ),
      ]),
    );
  });

  it('refuses a kind it has no schema for, rather than passing it', () => {
    expect(kubernetesSchemaProblems({ apiVersion: 'apps/v1beta2', kind: 'DaemonSet' })).toEqual([
      'no schema for apiVersion apps/v1beta2, kind DaemonSet',
    ]);
  });
});
