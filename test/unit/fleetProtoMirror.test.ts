/**
 * The fleet file's FleetNetwork, FleetSubnet and FleetEndpoint repeat the agent's Network, Subnet and
 * Endpoint (proto has no inheritance) and add fields of their own from 16 on: every field the agent's
 * message has, a client may set, must stand in the fleet's with the same name, number and type, or a
 * fleet file could not say what a spec file says.
 */
import type { DescField } from '@bufbuild/protobuf';
import { isOutputOnly, specRegistry } from '../../client/src/spec/specRegistry';

function fieldsOf(typeName: string): Map<string, DescField> {
  const message = specRegistry().getMessage(typeName);
  if (!message) throw new Error(`${typeName} is not in the descriptor set`);
  return new Map(message.fields.map((f) => [f.name, f]));
}

/** A field's shape: its number and what it holds (scalar, enum, message or map, and their types). */
function shape(f: DescField): string {
  const of = (kind: string, name?: string) => `${f.number} ${kind}${name ? ` ${name}` : ''}`;
  switch (f.fieldKind) {
    case 'scalar':
      return of('scalar', String(f.scalar));
    case 'enum':
      return of('enum', f.enum.typeName);
    case 'map':
      return of('map', `${f.mapKey}->${f.mapKind}`);
    case 'list':
      return of('list', f.listKind === 'message' ? f.message.name.replace(/^Fleet/, '') : f.listKind);
    default:
      return of('message', f.message.name.replace(/^Fleet/, ''));
  }
}

describe.each([
  ['mvnet.v1.Network', 'mvnet.fleet.v1.FleetNetwork'],
  ['mvnet.v1.Subnet', 'mvnet.fleet.v1.FleetSubnet'],
  ['mvnet.v1.Endpoint', 'mvnet.fleet.v1.FleetEndpoint'],
])('%s in the fleet file (%s)', (agentType, fleetType) => {
  it('has every field a client sets, with the same name, number and type; its own fields from 16 on', () => {
    const agent = fieldsOf(agentType);
    const fleet = fieldsOf(fleetType);
    for (const [name, field] of agent) {
      if (isOutputOnly(field)) continue;
      expect([name, fleet.get(name) && shape(fleet.get(name)!)]).toEqual([name, shape(field)]);
    }
    const own = [...fleet.values()].filter((f) => !agent.has(f.name));
    expect(own.length).toBeGreaterThan(0);
    for (const f of own) expect([f.name, f.number >= 16]).toEqual([f.name, true]);
  });
});
