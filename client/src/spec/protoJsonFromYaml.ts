import type { DescEnum, DescField, DescMessage, JsonObject, JsonValue } from '@bufbuild/protobuf';
import { isAlias, isMap, isScalar, isSeq, type Alias, type LineCounter, type Node } from 'yaml';
import { quoteText } from '../../../common/quoteText';
import { enumChoices, enumValueFromJson } from './enumNames';
import { checkScalar, describeYaml, type Checked } from './scalarFromYaml';
import { isOutputOnly } from './specRegistry';
import type { SpecProblem } from './SpecError';

/**
 * How many values a spec may hold, counting each alias as often as it is used: far above what an
 * agent takes (128 networks of 8 subnets and 16 aux addresses, 1,024 endpoints of 32 labels come to
 * about 70,000), and low enough that aliases of aliases cannot make the walk endless.
 */
export const MAX_SPEC_VALUES = 200_000;

/** The problems reported of one file, at most: the rest are counted. */
export const MAX_SPEC_PROBLEMS = 100;

/** What the walk needs of the parsed document, and what it found wrong so far. */
export interface YamlWalk {
  lines: LineCounter;
  /** Each alias's node, as the document defined its anchor where the alias stands. */
  aliases: Map<Alias, Node | undefined>;
  problems: SpecProblem[];
  /** Problems beyond MAX_SPEC_PROBLEMS, counted only. */
  unreported: number;
  values: number;
  /** When set, the line and column of each field and list element read, by path. */
  positions?: Map<string, { line: number; column: number }>;
}

/** A key that may stand in a path as it is (`labels[tier]`); any other is quoted. */
const PLAIN_KEY = /^[A-Za-z0-9_./-]{1,64}$/;

/**
 * Checks a YAML node against a message type of the contract and turns it into proto3 JSON (JSON
 * names, enums by full name), recording every problem with its path and line instead of stopping at
 * the first: unknown fields, a field given twice (`vlanId` and `vlan_id`), wrong types, bad enum
 * values, anything not a mapping where one is needed. Output-only fields (`status`) are skipped.
 * Returns undefined where the node could not be read.
 */
export function messageFromYaml(
  walk: YamlWalk,
  node: Node | null,
  desc: DescMessage,
  path: string,
): JsonObject | undefined {
  const resolved = resolve(walk, node);
  if (!isMap(resolved)) {
    report(walk, resolved, path, `expected a mapping of ${desc.name} fields, got ${describeYaml(resolved)}`);
    return undefined;
  }
  const json: JsonObject = {};
  const given = new Map<DescField, string>();
  for (const pair of resolved.items) {
    const keyNode = resolve(walk, pair.key as Node | null);
    const key = isScalar(keyNode) ? keyNode.value : undefined;
    if (typeof key !== 'string') {
      report(walk, keyNode, path, `expected a field name, got ${describeYaml(keyNode)}`);
      continue;
    }
    const shown = PLAIN_KEY.test(key) ? key : quoteText(key);
    const fieldPath = path === '' ? shown : `${path}.${shown}`;
    const field = desc.fields.find((f) => f.jsonName === key || f.name === key);
    if (!field) {
      const names = desc.fields.filter((f) => !isOutputOnly(f)).map((f) => f.jsonName);
      report(walk, keyNode, fieldPath, `unknown field of ${desc.name}; expected one of ${names.join(', ')}`);
      continue;
    }
    const earlier = given.get(field);
    if (earlier !== undefined)
      report(
        walk,
        keyNode,
        fieldPath,
        earlier === key ? 'given twice' : `the same field as ${earlier}, given twice`,
      );
    given.set(field, key);
    if (isOutputOnly(field)) continue;
    remember(walk, (pair.value as Node | null) ?? keyNode, fieldPath);
    const value = fieldFromYaml(walk, pair.value as Node | null, field, fieldPath);
    if (value !== undefined) json[field.jsonName] = value;
  }
  return json;
}

/** Collects a problem at a node's line (the first MAX_SPEC_PROBLEMS of them). */
export function report(walk: YamlWalk, node: Node | null | undefined, path: string, message: string): void {
  if (walk.problems.length >= MAX_SPEC_PROBLEMS) {
    walk.unreported++;
    return;
  }
  const offset = node?.range?.[0];
  walk.problems.push({ path, message, ...(offset === undefined ? {} : position(walk.lines, offset)) });
}

/** Records where a path stands, for checks made after the walk to name its line. */
function remember(walk: YamlWalk, node: Node | null | undefined, path: string): void {
  const offset = node?.range?.[0];
  if (walk.positions && offset !== undefined) walk.positions.set(path, position(walk.lines, offset));
}

/** A line and column, 1-based, of an offset in the text. */
export function position(lines: LineCounter, offset: number): { line: number; column: number } {
  const { line, col } = lines.linePos(offset);
  return line === 0 ? { line: 1, column: offset + 1 } : { line, column: col };
}

function fieldFromYaml(
  walk: YamlWalk,
  node: Node | null,
  field: DescField,
  path: string,
): JsonValue | undefined {
  const resolved = resolve(walk, node);
  // proto3 JSON: null stands for the field's default.
  if (resolved === undefined || (isScalar(resolved) && resolved.value === null)) return undefined;
  switch (field.fieldKind) {
    case 'list': {
      if (!isSeq(resolved)) {
        report(walk, resolved, path, `expected a list, got ${describeYaml(resolved)}`);
        return undefined;
      }
      const items = resolved.items.map((item, i) => {
        remember(walk, item as Node | null, `${path}[${i}]`);
        return elementFromYaml(walk, item as Node | null, field, `${path}[${i}]`);
      });
      return items.every((item) => item !== undefined) ? items : undefined;
    }
    case 'map':
      return mapFromYaml(walk, resolved, field, path);
    case 'message':
      return messageFromYaml(walk, resolved, field.message, path);
    case 'enum':
      return enumFromYaml(walk, resolved, field.enum, path);
    case 'scalar':
      return scalarFromYaml(walk, resolved, field.scalar, path);
  }
}

/** An element of a list or a value of a map: never null. */
function elementFromYaml(
  walk: YamlWalk,
  node: Node | null,
  field: DescField & { fieldKind: 'list' | 'map' },
  path: string,
): JsonValue | undefined {
  const resolved = resolve(walk, node);
  if (resolved === undefined || (isScalar(resolved) && resolved.value === null)) {
    report(walk, resolved, path, 'expected a value, got null');
    return undefined;
  }
  const kind = field.fieldKind === 'list' ? field.listKind : field.mapKind;
  if (kind === 'message') return messageFromYaml(walk, resolved, field.message!, path);
  if (kind === 'enum') return enumFromYaml(walk, resolved, field.enum!, path);
  return scalarFromYaml(walk, resolved, field.scalar!, path);
}

function mapFromYaml(
  walk: YamlWalk,
  node: Node,
  field: DescField & { fieldKind: 'map' },
  path: string,
): JsonObject | undefined {
  if (!isMap(node)) {
    report(walk, node, path, `expected a mapping, got ${describeYaml(node)}`);
    return undefined;
  }
  const json: JsonObject = {};
  let complete = true;
  for (const pair of node.items) {
    const keyNode = resolve(walk, pair.key as Node | null);
    const key = checkScalar(keyNode, field.mapKey);
    if ('problem' in key) {
      report(walk, keyNode, path, `a key: ${key.problem}`);
      complete = false;
      continue;
    }
    const text = String(key.json);
    const entryPath = `${path}[${PLAIN_KEY.test(text) ? text : quoteText(text)}]`;
    if (Object.hasOwn(json, text)) report(walk, keyNode, entryPath, 'given twice');
    // The generated decoder would drop it without a word; the agent refuses it in any map it checks.
    if (text === '__proto__') report(walk, keyNode, entryPath, 'the key __proto__ is not allowed');
    const value = elementFromYaml(walk, pair.value as Node | null, field, entryPath);
    if (value === undefined || text === '__proto__') complete = false;
    else json[text] = value;
  }
  return complete ? json : undefined;
}

function enumFromYaml(walk: YamlWalk, node: Node, desc: DescEnum, path: string): string | undefined {
  const value = isScalar(node) ? enumValueFromJson(desc, node.value) : undefined;
  if (!value) report(walk, node, path, `expected ${enumChoices(desc)}, got ${describeYaml(node)}`);
  return value?.name;
}

function scalarFromYaml(walk: YamlWalk, node: Node, type: DescField['scalar'] & number, path: string) {
  const checked: Checked = checkScalar(node, type);
  if ('problem' in checked) {
    report(walk, node, path, checked.problem);
    return undefined;
  }
  return checked.json;
}

/** Thrown when a spec holds more than MAX_SPEC_VALUES values: the walk stops there. */
export class TooManyValues extends Error {
  constructor() {
    super(`more than ${MAX_SPEC_VALUES} values (an alias counts each time it is used)`);
  }
}

/**
 * The node an alias stands for (the alias itself when it names no anchor, for the message to say so),
 * or the node itself, counting it against MAX_SPEC_VALUES.
 */
function resolve(walk: YamlWalk, node: Node | null | undefined): Node | undefined {
  if (++walk.values > MAX_SPEC_VALUES) throw new TooManyValues();
  if (node && isAlias(node)) return walk.aliases.get(node) ?? node;
  return node ?? undefined;
}
