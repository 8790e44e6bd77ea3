import { fromJson, toBinary, type JsonObject } from '@bufbuild/protobuf';
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
import { messageFromYaml, position, TooManyValues, type YamlWalk } from './protoJsonFromYaml';
import { MAX_SPEC_FILE_BYTES } from './readSpecSource';
import { SpecError, type SpecProblem } from './SpecError';
import { messageSchema, specRegistry } from './specRegistry';

/** The message a file holds, as parseYamlMessage reads it. */
export interface YamlRoot<T> {
  /** The root message's full name: `mvnet.v1.Spec`. */
  typeName: string;
  /** The generated decoder of that message. */
  decode(bytes: Uint8Array): T;
  /** What the file holds, as SpecError's message names it: `the spec`, `the fleet file`. */
  what: string;
  /** What the file is, in the message of one too large: `a spec file`. */
  kind: string;
  /** The problem reported of a file with nothing in it. */
  empty: string;
  /** Adjusts the document before it is checked (a number turned into text where text is meant). */
  prepare?(doc: Document): void;
}

/** A file read: its message, and where each field and list element stands in it. */
export interface ParsedYaml<T> {
  message: T;
  /** The line and column of a path as problems name it (`networks[2].vlanId`), if the file has it. */
  positionOf(path: string): { line: number; column: number } | undefined;
}

/** YAML's own words for its errors, where they do not say enough for a spec. */
const YAML_MESSAGES: Record<string, string> = {
  MULTIPLE_DOCS: 'several YAML documents: a spec is one document',
};

/**
 * Reads a file of one of the contract's messages: YAML or JSON (JSON is read as YAML, so that
 * duplicate keys and lines are reported alike), with the proto's JSON field names (`vlanId`, or the
 * proto name `vlan_id`) and enums by full or short name (`MACVLAN_MODE_BRIDGE`, `bridge`).
 * Output-only fields are ignored. Throws a SpecError listing every problem at once, each with its
 * path and line. `source` names the file in the messages.
 */
export function parseYamlMessage<T>(text: string, source: string, root: YamlRoot<T>): ParsedYaml<T> {
  const fail = (problems: SpecProblem[], unreported = 0) =>
    new SpecError(source, problems, unreported, root.what);
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_SPEC_FILE_BYTES)
    throw fail([{ path: '', message: `${bytes} bytes: ${root.kind} is at most 4 MiB` }]);
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
  if (syntaxOnly) throw fail(problems);
  if (doc.contents === null) throw fail([{ path: '', message: root.empty }]);
  root.prepare?.(doc);
  const positions = new Map<string, { line: number; column: number }>();
  const walk: YamlWalk = {
    lines,
    aliases: aliasTargets(doc),
    problems,
    unreported: 0,
    values: 0,
    positions,
  };
  const schema = messageSchema(root.typeName);
  let json;
  try {
    json = messageFromYaml(walk, doc.contents as Node, schema, '');
  } catch (err) {
    if (!(err instanceof TooManyValues)) throw err;
    walk.problems.push({ path: '', message: err.message });
  }
  if (walk.problems.length > 0 || json === undefined) throw fail(inFileOrder(walk.problems), walk.unreported);
  return { message: decode(json, root, fail), positionOf: (path) => positions.get(path) };
}

/** proto3 JSON (checked already) to the generated type, through @bufbuild/protobuf and the wire format. */
function decode<T>(json: JsonObject, root: YamlRoot<T>, fail: (problems: SpecProblem[]) => SpecError): T {
  const schema = messageSchema(root.typeName);
  try {
    const message = fromJson(schema, json, { registry: specRegistry(), ignoreUnknownFields: false });
    return root.decode(toBinary(schema, message));
  } catch (err) {
    throw fail([{ path: '', message: (err as Error).message }]);
  }
}

/** Problems by line and column (a stable sort: the walk's order within one place). */
export function inFileOrder(problems: readonly SpecProblem[]): SpecProblem[] {
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
