/**
 * The Kubernetes schemas the manifests of deploy/kubernetes are validated against: the kinds they use,
 * from kubernetes-models (the API's OpenAPI schemas compiled to ajv validators) and its
 * prometheus-operator and cert-manager packages (the CRDs' schemas). Like `kubectl apply
 * --validate`, less its strict field check: these schemas allow fields they do not know, so the
 * manifests' tests check the fields that matter by name as well.
 */
import { Certificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import { Issuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';

/** An error as ajv reports it. */
interface SchemaError {
  instancePath: string;
  message?: string;
  params?: { allowedValues?: unknown };
}

interface Validating {
  validate(): void;
}

type ModelClass = { apiVersion: string; kind: string } & (new (data: never) => Validating);

const MODELS: ModelClass[] = [
  Namespace,
  ConfigMap,
  Service,
  DaemonSet,
  PodDisruptionBudget,
  ServiceMonitor,
  Certificate,
  Issuer,
];

const BY_TYPE = new Map(MODELS.map((model) => [`${model.apiVersion} ${model.kind}`, model]));

/**
 * What is wrong with one object against the schema of its apiVersion and kind: nothing when it is
 * valid, else each problem with the field's path (`spec/template/spec/containers/0/ports/0/containerPort
 * must be integer`). A kind this file has no schema for is a problem too.
 */
export function kubernetesSchemaProblems(object: unknown): string[] {
  const { apiVersion, kind } = (object ?? {}) as { apiVersion?: unknown; kind?: unknown };
  const model = BY_TYPE.get(`${String(apiVersion)} ${String(kind)}`);
  if (!model) return [`no schema for apiVersion ${String(apiVersion)}, kind ${String(kind)}`];
  try {
    new model(object as never).validate();
    return [];
  } catch (err) {
    const errors = (err as { errors?: SchemaError[] }).errors;
    if (!errors) return [(err as Error).message];
    return errors.map((e) => {
      const allowed = e.params?.allowedValues;
      const values = Array.isArray(allowed) ? `: ${allowed.join(', ')}` : '';
      return `${e.instancePath.replace(/^\//, '')} ${e.message ?? 'is invalid'}${values}`;
    });
  }
}
