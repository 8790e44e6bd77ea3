/**
 * Pods of the mvnet-agent DaemonSet as `kubectl get pods -o json` prints them (the fields it always
 * has, trimmed of most of the spec), for the tests of `mvnet fleet --hosts-from-pods`.
 */

/** A container of a pod, as the tests change it. */
export interface PodContainer {
  name: string;
  ports?: { name?: string; containerPort: unknown; protocol?: string }[];
}

/** A pod, as the tests change it. */
export interface AgentPod {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: Record<string, unknown>;
  spec: { containers: PodContainer[]; nodeName?: string; hostNetwork: boolean };
  status: Record<string, unknown>;
}

let serial = 0;

/**
 * One agent pod: Running on `node` at `ip` unless told otherwise (a Pending pod has no IP unless
 * given one), its container port grpc `grpcPort` (7443), being deleted with `deleting`.
 */
export function agentPod(options: {
  name?: string;
  node?: string;
  ip?: string;
  phase?: string;
  grpcPort?: unknown;
  deleting?: boolean;
}): AgentPod {
  const name = options.name ?? `mvnet-agent-${(serial++).toString(36).padStart(5, 'x')}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'mvnet',
      labels: { 'app.kubernetes.io/name': 'mvnet-agent', 'controller-revision-hash': '6d5f7c9b8' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'mvnet-agent', controller: true }],
      ...(options.deleting
        ? { deletionTimestamp: '2026-12-07T12:00:00Z', deletionGracePeriodSeconds: 30 }
        : {}),
    },
    spec: {
      hostNetwork: true,
      ...(options.node !== undefined ? { nodeName: options.node } : {}),
      containers: [
        {
          name: 'agent',
          ports: [
            { name: 'grpc', containerPort: options.grpcPort ?? 7443, protocol: 'TCP' },
            { name: 'health', containerPort: 7444, protocol: 'TCP' },
            { name: 'metrics', containerPort: 9464, protocol: 'TCP' },
          ],
        },
      ],
    },
    status: {
      phase: options.phase ?? 'Running',
      ...(options.ip !== undefined
        ? { podIP: options.ip, podIPs: [{ ip: options.ip }], hostIP: options.ip }
        : {}),
    },
  };
}

/** The List that kubectl prints for several pods. */
export function podList(items: unknown[]): {
  apiVersion: 'v1';
  kind: 'List';
  items: unknown[];
  metadata: object;
} {
  return { apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } };
}
