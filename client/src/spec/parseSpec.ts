import { Spec } from '../../../proto/gen/mvnet/v1/apply';
import { parseYamlMessage } from './parseYamlMessage';

/**
 * Reads a spec file: YAML or JSON (JSON is read as YAML, so that duplicate keys and lines are
 * reported alike), with the proto's JSON field names (`vlanId`, or the proto name `vlan_id`) and
 * enums by full or short name (`MACVLAN_MODE_BRIDGE`, `bridge`). `status` is ignored. Throws a
 * SpecError listing every problem at once, each with its path and line; nothing is sent then.
 * `source` names the file in the messages.
 */
export function parseSpec(text: string, source: string): Spec {
  return parseYamlMessage(text, source, {
    typeName: 'mvnet.v1.Spec',
    decode: (bytes) => Spec.decode(bytes),
    what: 'the spec',
    kind: 'a spec file',
    empty: 'the file holds no spec: to remove every network and endpoint, write networks: []',
  }).message;
}
