import { fromJson, toBinary } from '@bufbuild/protobuf';
import {
  isAlias,
  isNode,
  LineCounter,
  parseDocument,
  visit,
  type Alias,
  type Document,
  type Node,
} from 'yaml';
import { Spec } from '../../../proto/gen/mvnet/v1/apply';
import { messageFromYaml, position, TooManyValues, type YamlWalk } from './protoJsonFromYaml';
import { MAX_SPEC_FILE_BYTES } from './readSpecSource';
import { SpecError, type SpecProblem } from './SpecError';
import { specRegistry, specSchema } from './specRegistry';

/** YAML's own words for its errors, where they do not say enough for a spec. */
const YAML_MESSAGES: Record<string, string> = {
  MULTIPLE_DOCS: 'several YAML documents: a spec is one document',
};

/**
 * Reads a spec file: YAML or JSON (JSON is read as YAML, so that duplicate keys and lines are
 * reported alike), with the proto's JSON field names (`vlanId`, or the proto name `vlan_id`) and
 * enums by full or short name (`MACVLAN_MODE_BRIDGE`, `bridge`). `status` is ignored. Throws a
 * SpecError listing every problem at once, each with its path and line; nothing is sent then.
 * `source` names the file in the messages.
 */
export function parseSpec(text: string, source: string): Spec {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_SPEC_FILE_BYTES)
    throw new SpecError(source, [{ path: '', message: `${bytes} bytes: a spec file is at most 4 MiB` }]);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, version: '1.2' });
  // A key given twice is reported by the walk, which names its path.
  const yamlProblems = [...doc.errors, ...doc.warnings].filter((err) => err.code !== 'DUPLICATE_KEY');
  const problems: SpecProblem[] = yamlProblems.map((err) => ({
    path: '',
    message: YAML_MESSAGES[err.code] ?? err.message.split('\n')[0],
    ...position(lines, err.pos[0]),
  }));
  const syntaxOnly = doc.errors.some((err) => err.code !== 'DUPLICATE_KEY');
  if (syntaxOnly) throw new SpecError(source, problems);
  if (doc.contents === null)
    throw new SpecError(source, [
      {
        path: '',
        message: 'the file holds no spec: to remove every network and endpoint, write networks: []',
      },
    ]);
  const walk: YamlWalk = { lines, aliases: aliasTargets(doc), problems, unreported: 0, values: 0 };
  let json;
  try {
    json = messageFromYaml(walk, doc.contents as Node, specSchema(), '');
  } catch (err) {
    if (!(err instanceof TooManyValues)) throw err;
    walk.problems.push({ path: '', message: err.message });
  }
  if (walk.problems.length > 0 || json === undefined)
    throw new SpecError(source, inFileOrder(walk.problems), walk.unreported);
  return decodeSpec(json, source);
}

/** proto3 JSON (checked already) to the generated Spec, through @bufbuild/protobuf and the wire format. */
function decodeSpec(json: NonNullable<ReturnType<typeof messageFromYaml>>, source: string): Spec {
  try {
    const message = fromJson(specSchema(), json, { registry: specRegistry(), ignoreUnknownFields: false });
    return Spec.decode(toBinary(specSchema(), message));
  } catch (err) {
    throw new SpecError(source, [{ path: '', message: (err as Error).message }]);
  }
}

/** Problems by line and column (a stable sort: the walk's order within one place). */
function inFileOrder(problems: SpecProblem[]): SpecProblem[] {
  const at = (p: SpecProblem) => (p.line ?? 0) * 1e6 + (p.column ?? 0);
  return [...problems].sort((a, b) => at(a) - at(b));
}

/**
 * Each alias's node, found in one pass in document order: an alias names the last anchor of that
 * name before it (YAML's rule), and yaml's Alias.resolve would search the document once per alias.
 */
function aliasTargets(doc: Document): Map<Alias, Node | undefined> {
  const anchors = new Map<string, Node>();
  const targets = new Map<Alias, Node | undefined>();
  visit(doc, (_key, node) => {
    if (isAlias(node)) targets.set(node, anchors.get(node.source));
    else if (isNode(node) && node.anchor) anchors.set(node.anchor, node);
  });
  return targets;
}
