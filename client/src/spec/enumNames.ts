import type { DescEnum, DescEnumValue } from '@bufbuild/protobuf';

/**
 * An enum value as people write it: its name without the enum's prefix, in lower case
 * (`MACVLAN_MODE_BRIDGE` → `bridge`), as ip-link(8) and the CLI's flags name it.
 */
export function shortEnumName(desc: DescEnum, value: DescEnumValue): string {
  const prefix = desc.sharedPrefix ?? '';
  const name = value.name.toLowerCase();
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

/**
 * The value a spec file names: the proto's full name (`MACVLAN_MODE_BRIDGE`, exactly, as proto3
 * JSON has it), the short name in any case (`bridge`, `BRIDGE`), or the number of a declared value.
 */
export function enumValueFromJson(desc: DescEnum, json: unknown): DescEnumValue | undefined {
  if (typeof json === 'number') return Number.isInteger(json) ? desc.value[json] : undefined;
  if (typeof json !== 'string') return undefined;
  const lower = json.toLowerCase();
  return desc.values.find((v) => v.name === json || shortEnumName(desc, v) === lower);
}

/** The values to suggest (the unspecified one is accepted, never suggested): `bridge, private or vepa`. */
export function enumChoices(desc: DescEnum): string {
  const names = desc.values.filter((v) => v.number !== 0).map((v) => shortEnumName(desc, v));
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}
