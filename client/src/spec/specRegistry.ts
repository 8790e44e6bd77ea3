import fs from 'node:fs';
import path from 'node:path';
import {
  createFileRegistry,
  fromBinary,
  type DescField,
  type DescMessage,
  type FileRegistry,
} from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';

/**
 * The descriptor set buf builds (imports included), committed beside the generated code: three
 * folders up from source code, four from compiled code (tsc does not copy it into dist/).
 */
const FROM_SOURCE = '../../../proto/gen/descriptor.binpb';
const FROM_DIST = '../../../../proto/gen/descriptor.binpb';

/** The fields a client never sets (the agent's observations): a spec file may carry them, unread. */
const OUTPUT_ONLY_FIELDS: ReadonlySet<string> = new Set([
  'mvnet.v1.Network.status',
  'mvnet.v1.Endpoint.status',
]);

/** True for a field the agent fills and a client never sets. */
export function isOutputOnly(field: DescField): boolean {
  return OUTPUT_ONLY_FIELDS.has(`${field.parent.typeName}.${field.name}`);
}

let registry: FileRegistry | undefined;

/**
 * The contract's types at run time (@bufbuild/protobuf's reflection over the descriptor set): what
 * reads and writes spec files, so that they follow the .proto files with no converter written by hand.
 * Read once, from compiled (dist/client/src/spec) or source (client/src/spec) code.
 */
export function specRegistry(): FileRegistry {
  if (!registry) {
    const source = path.join(__dirname, FROM_SOURCE);
    const file = fs.existsSync(source) ? source : path.join(__dirname, FROM_DIST);
    registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, fs.readFileSync(file)));
  }
  return registry;
}

/** The descriptor of mvnet.v1.Spec: the root of a spec file. */
export function specSchema(): DescMessage {
  return messageSchema('mvnet.v1.Spec');
}

/** The descriptor of a message of the contract, by its full name (`mvnet.fleet.v1.FleetFile`). */
export function messageSchema(typeName: string): DescMessage {
  const schema = specRegistry().getMessage(typeName);
  if (!schema) throw new Error(`the descriptor set lacks ${typeName}: run npm run generate`);
  return schema;
}
