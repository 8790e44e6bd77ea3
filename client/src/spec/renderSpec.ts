import { fromBinary, toJson, type DescMessage, type JsonObject, type JsonValue } from '@bufbuild/protobuf';
import { Document, isScalar, Scalar, visit } from 'yaml';
import { Spec } from '../../../proto/gen/mvnet/v1/apply';
import { shortEnumName } from './enumNames';
import { isOutputOnly, specRegistry, specSchema } from './specRegistry';

/** The formats a spec is written in. */
export type SpecFormat = 'yaml' | 'json';

/**
 * What a YAML 1.1 reader (PyYAML, Go's yaml.v2) takes for something other than text when it stands
 * unquoted: yes/on/y (true), ~, numbers in base 2, 8, 16 and 60 (a MAC such as 02:42:00:11:22:33 is
 * one), dates. The implicit types of the yaml package's own 1.1 schema.
 */
const YAML_1_1_IMPLICIT: readonly RegExp[] = new Document(null, { version: '1.1' }).schema.tags.flatMap(
  (tag) => ('test' in tag && tag.test instanceof RegExp && tag.default ? [tag.test] : []),
);

/**
 * Writes a spec as parseSpec reads it: proto3 JSON field names, enums by their short name
 * (`bridge`), no output-only field (`status`), no field at its default (empty, 0, false); YAML (with
 * `comment` as a comment above it) or JSON, indented by 2. YAML quotes any text that a YAML 1.2
 * or 1.1 reader would take for another type, so that other tools read the file as parseSpec does.
 */
export function renderSpec(spec: Spec, format: SpecFormat, comment?: string): string {
  const schema = specSchema();
  const message = fromBinary(schema, Spec.encode(spec).finish());
  const json = forPeople(toJson(schema, message, { registry: specRegistry() }) as JsonObject, schema);
  if (format === 'json') return `${JSON.stringify(json, null, 2)}\n`;
  const doc = new Document(json);
  visit(doc, (_key, node) => {
    if (
      isScalar(node) &&
      typeof node.value === 'string' &&
      YAML_1_1_IMPLICIT.some((re) => re.test(node.value as string))
    )
      node.type = Scalar.QUOTE_DOUBLE;
  });
  if (comment !== undefined) doc.commentBefore = comment;
  return doc.toString({ lineWidth: 0 });
}

/** proto3 JSON with enums shortened and output-only fields dropped, following the message's fields. */
function forPeople(json: JsonObject, desc: DescMessage): JsonObject {
  const out: JsonObject = {};
  for (const field of desc.fields) {
    const value = json[field.jsonName];
    if (value === undefined || isOutputOnly(field)) continue;
    const kind =
      field.fieldKind === 'list'
        ? field.listKind
        : field.fieldKind === 'map'
          ? field.mapKind
          : field.fieldKind;
    const convert = (v: JsonValue): JsonValue =>
      kind === 'enum'
        ? shortEnum(field.enum!, v)
        : kind === 'message'
          ? forPeople(v as JsonObject, field.message!)
          : v;
    if (field.fieldKind === 'list') out[field.jsonName] = (value as JsonValue[]).map(convert);
    else if (field.fieldKind === 'map')
      out[field.jsonName] = Object.fromEntries(
        Object.entries(value as JsonObject).map(([k, v]) => [k, convert(v)]),
      );
    else out[field.jsonName] = convert(value);
  }
  return out;
}

function shortEnum(desc: NonNullable<DescMessage['fields'][number]['enum']>, name: JsonValue): JsonValue {
  const value = desc.values.find((v) => v.name === name);
  return value ? shortEnumName(desc, value) : name;
}
