import { quoteText } from './clientText';
import { InvalidSpecError } from './errors';
import { parsePrefix } from './ip';
import { MACVLAN_MODES, type MacvlanMode, type NetworkSpec } from './model';
import { checkInterfaceName, checkObjectName } from './names';
import { normalizeLabels } from './normalizeLabels';
import { normalizeSubnets } from './normalizeSubnets';

/** A network as a caller sends it: the normal form's shape, with `mode` possibly "" (bridge). */
export type NetworkInput = Omit<NetworkSpec, 'mode'> & { mode: string };

const MAX_VLAN_ID = 4094;

/** IPv6 needs every link to carry 1280-byte packets (RFC 8200, section 5). */
export const IPV6_MIN_MTU = 1280;

/**
 * Validates a network spec and brings it to normal form, so that equal intents compare equal:
 * `parent: "eth0", vlan_id: 10` and `parent: "eth0.10"` both become `parent: "eth0.10", vlanId: 10`;
 * no parent means internal; the mode defaults to bridge; addresses take their canonical text.
 * Only the request is checked here; what the host must offer (parent, capabilities) is checked later.
 */
export function normalizeNetworkSpec(input: NetworkInput): NetworkSpec {
  checkObjectName('network.name', input.name);
  const mode = normalizeMode(input.mode);
  const { parent, vlanId, internal } = normalizeParent(input);
  if (input.mtu !== 0 && (input.mtu < 68 || input.mtu > 65535)) {
    throw new InvalidSpecError(
      'network.mtu',
      `${input.mtu} is out of range: use 68-65535, or 0 for the parent's`,
    );
  }
  const labels = normalizeLabels(input.labels, 'network.labels');
  const subnets = normalizeSubnets(input.subnets);
  if (input.mtu !== 0 && input.mtu < IPV6_MIN_MTU && hasIpv6(subnets)) {
    throw new InvalidSpecError(
      'network.mtu',
      `${input.mtu} is below IPv6's minimum of ${IPV6_MIN_MTU}, and the network has an IPv6 subnet`,
    );
  }
  return {
    name: input.name,
    parent,
    vlanId,
    mode,
    subnets,
    mtu: input.mtu,
    internal,
    promiscuous: input.promiscuous,
    hostAccess: input.hostAccess,
    labels,
  };
}

/** Whether a network (its subnets in normal form) has an IPv6 subnet. */
export function hasIpv6(subnets: readonly { cidr: string }[]): boolean {
  return subnets.some((s) => parsePrefix(s.cidr)?.prefix.family === 6);
}

function normalizeMode(mode: string): MacvlanMode {
  if (mode === '') return 'bridge';
  if ((MACVLAN_MODES as readonly string[]).includes(mode)) return mode as MacvlanMode;
  throw new InvalidSpecError(
    'network.mode',
    `unknown macvlan mode ${quoteText(mode)}: use ${MACVLAN_MODES.join(', ')}`,
  );
}

/**
 * Docker's rule: a parent containing a dot is a sub-interface `<link>.<vlan id>`; no parent makes the
 * network internal (the agent gives it a dummy link).
 */
function normalizeParent(input: NetworkInput): { parent: string; vlanId: number; internal: boolean } {
  if (input.vlanId < 0 || input.vlanId > MAX_VLAN_ID || !Number.isInteger(input.vlanId)) {
    throw new InvalidSpecError('network.vlan_id', `${input.vlanId} is not a VLAN id: use 1-${MAX_VLAN_ID}`);
  }
  if (input.parent === '') {
    if (input.vlanId !== 0) {
      throw new InvalidSpecError(
        'network.vlan_id',
        'a VLAN needs a parent: set network.parent (e.g. "eth0")',
      );
    }
    return { parent: '', vlanId: 0, internal: true };
  }
  if (input.internal) {
    throw new InvalidSpecError(
      'network.internal',
      `an internal network has no parent: drop the parent ${quoteText(input.parent)} or internal`,
    );
  }
  const dot = input.parent.lastIndexOf('.');
  if (dot < 0) {
    checkInterfaceName('network.parent', input.parent);
    if (input.vlanId === 0) return { parent: input.parent, vlanId: 0, internal: false };
    const parent = `${input.parent}.${input.vlanId}`;
    checkInterfaceName('network.parent', parent);
    return { parent, vlanId: input.vlanId, internal: false };
  }
  checkInterfaceName('network.parent', input.parent);
  const lower = input.parent.slice(0, dot);
  const idText = input.parent.slice(dot + 1);
  // Digits without a leading zero: "eth1.0010" and "eth1.10" would be two names for one VLAN (the
  // kernel takes either name), and the normal form would not be one.
  const id = /^[1-9]\d{0,3}$/.test(idText) ? Number(idText) : NaN;
  if (lower === '' || !(id >= 1 && id <= MAX_VLAN_ID)) {
    const zeros = /^0\d/.test(idText) ? ' (no leading zeros)' : '';
    throw new InvalidSpecError(
      'network.parent',
      `${quoteText(input.parent)} is not a sub-interface name: use <link>.<vlan id 1-${MAX_VLAN_ID}>${zeros}, e.g. "eth0.10"`,
    );
  }
  if (input.vlanId !== 0 && input.vlanId !== id) {
    throw new InvalidSpecError(
      'network.vlan_id',
      `${input.vlanId} contradicts the parent ${quoteText(input.parent)} (VLAN ${id}): drop vlan_id or make them agree`,
    );
  }
  return { parent: input.parent, vlanId: id, internal: false };
}

/** The lower link and VLAN id of a normal-form parent that names a sub-interface, else undefined. */
export function splitSubInterface(
  spec: Pick<NetworkSpec, 'parent' | 'vlanId'>,
): { lower: string; vlanId: number } | undefined {
  if (spec.vlanId === 0) return undefined;
  return { lower: spec.parent.slice(0, spec.parent.lastIndexOf('.')), vlanId: spec.vlanId };
}
