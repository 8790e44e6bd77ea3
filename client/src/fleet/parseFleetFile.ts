import path from 'node:path';
import { isAlias, isMap, isScalar, type Document } from 'yaml';
import { FleetFile, type FleetTls } from '../../../proto/gen/mvnet/fleet/v1/fleet';
import { parseYamlMessage, inFileOrder, type ParsedYaml } from '../spec/parseYamlMessage';
import { MAX_SPEC_PROBLEMS } from '../spec/protoJsonFromYaml';
import { SpecError, type SpecProblem } from '../spec/SpecError';
import { checkFleetFile } from './checkFleetFile';
import type { FleetHost, FleetSpec, FleetTlsFiles } from './fleetTypes';
import { rolloutPolicy } from './rolloutPolicy';

/**
 * Reads a fleet file (mvnet.fleet.v1.FleetFile, YAML or JSON, the proto's JSON or proto field names)
 * and checks it on its own: every problem at once, each with its path and line, in a SpecError naming
 * `source`. The rollout gets its defaults (rolloutPolicy); `rollout.maxUnavailable` may be a YAML
 * number (`2`) as well as text (`"2"`, `"25%"`); TLS paths are made absolute from `fileDir`, the
 * file's folder.
 *
 * `hosts`, when given, are the fleet's hosts from elsewhere (hostsFromPods: `--hosts-from-pods`), and
 * the file must then leave `hosts:` out: two lists of hosts that could disagree are refused rather
 * than one of them silently ignored.
 */
export function parseFleetFile(
  text: string,
  source: string,
  fileDir: string,
  hosts?: FleetHost[],
): FleetSpec {
  const parsed = parseYamlMessage(text, source, {
    typeName: 'mvnet.fleet.v1.FleetFile',
    decode: (bytes) => FleetFile.decode(bytes),
    what: 'the fleet file',
    kind: 'a fleet file',
    empty: hosts
      ? 'the file is empty: with --hosts-from-pods it holds networks:, endpoints: and rollout:'
      : 'the file names no host: a fleet file holds hosts: [{name: h1, address: 10.0.0.11:7443}, ...]',
    prepare: countAsText,
  });
  const file = parsed.message;
  const hostProblems: SpecProblem[] = [];
  if (hosts) {
    if (file.hosts.length > 0)
      hostProblems.push({
        path: 'hosts',
        message: 'the hosts come from the pod list (--hosts-from-pods): leave hosts: out of the file',
      });
    file.hosts = hosts;
  }
  const { policy, problems: rolloutProblems } = rolloutPolicy(file.rollout, file.hosts.length);
  const problems = [...hostProblems, ...checkFleetFile(file), ...rolloutProblems];
  if (problems.length > 0) {
    const located = inFileOrder(problems.map((p) => ({ ...p, ...locate(parsed, p.path) })));
    throw new SpecError(
      source,
      located.slice(0, MAX_SPEC_PROBLEMS),
      Math.max(0, located.length - MAX_SPEC_PROBLEMS),
      'the fleet file',
    );
  }
  const tls = tlsFiles(file.tls, fileDir);
  return {
    hosts: file.hosts,
    ...(tls ? { tls } : {}),
    networks: file.networks,
    endpoints: file.endpoints,
    rollout: policy,
  };
}

/**
 * `rollout.maxUnavailable: 2` is the count 2, as Kubernetes' IntOrString reads it: the number becomes
 * the text the proto field holds, before the walk would refuse a number where text is expected.
 */
function countAsText(doc: Document): void {
  const resolve = (node: unknown) => (isAlias(node) ? node.resolve(doc) : node);
  const rollout = isMap(doc.contents) ? resolve(doc.contents.get('rollout', true)) : undefined;
  if (!isMap(rollout)) return;
  for (const key of ['maxUnavailable', 'max_unavailable']) {
    const node = resolve(rollout.get(key, true));
    if (isScalar(node) && typeof node.value === 'number') node.value = String(node.value);
  }
}

/**
 * The line of a problem's path: the path itself, the same with proto field names (`ip_range_per_host`),
 * or else the nearest enclosing field or list element the file has.
 */
function locate(parsed: ParsedYaml<unknown>, at: string): Partial<SpecProblem> {
  for (let p = at; p !== ''; p = p.replace(/(\.[^.[]+|\[[^\]]*\])$/, '')) {
    const found =
      parsed.positionOf(p) ?? parsed.positionOf(p.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
    if (found) return found;
    if (!/(\.[^.[]+|\[[^\]]*\])$/.test(p)) break;
  }
  return {};
}

/** The TLS files the file names, relative to its folder. */
function tlsFiles(tls: FleetTls | undefined, fileDir: string): FleetTlsFiles | undefined {
  if (!tls) return undefined;
  const files: FleetTlsFiles = {};
  for (const key of ['ca', 'cert', 'key'] as const) {
    if (tls[key] !== '') files[key] = path.resolve(fileDir, tls[key]);
  }
  return Object.keys(files).length > 0 ? files : undefined;
}
