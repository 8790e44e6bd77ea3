import { MacvlanMode, type Network } from '../../../proto/gen/mvnet/v1/network';
import { CliUsageError } from './CliUsageError';

/** The fields of a network that `-o/--opt key=value` sets. */
export type DriverOptionFields = Pick<
  Network,
  'parent' | 'vlanId' | 'mode' | 'mtu' | 'promiscuous' | 'hostAccess'
>;

const MODES: Record<string, MacvlanMode> = {
  bridge: MacvlanMode.MACVLAN_MODE_BRIDGE,
  private: MacvlanMode.MACVLAN_MODE_PRIVATE,
  vepa: MacvlanMode.MACVLAN_MODE_VEPA,
  passthru: MacvlanMode.MACVLAN_MODE_PASSTHRU,
};

type Setter = (fields: DriverOptionFields, value: string, key: string) => void;

/**
 * The driver options of Docker's macvlan driver (parent, macvlan_mode, Docker's generic MTU option),
 * and mvnet's own (vlan_id, promiscuous, host_access). Each value is checked for its form only; what
 * makes sense on the host (VLAN id range, MTU against the parent) is the agent's to judge.
 */
const SETTERS: Record<string, Setter> = {
  parent: (f, v, k) => {
    if (v === '') throw new CliUsageError(`-o ${k}=: a parent link is required, e.g. -o parent=eth0.10`);
    f.parent = v;
  },
  macvlan_mode: (f, v, k) => {
    const mode = Object.hasOwn(MODES, v) ? MODES[v] : undefined;
    if (mode === undefined) {
      throw new CliUsageError(`-o ${k}=${v}: unknown macvlan mode: use ${Object.keys(MODES).join(', ')}`);
    }
    f.mode = mode;
  },
  mtu: (f, v, k) => (f.mtu = parseCount(k, v)),
  'com.docker.network.driver.mtu': (f, v, k) => (f.mtu = parseCount(k, v)),
  vlan_id: (f, v, k) => (f.vlanId = parseCount(k, v)),
  promiscuous: (f, v, k) => (f.promiscuous = parseBool(k, v)),
  host_access: (f, v, k) => (f.hostAccess = parseBool(k, v)),
};

/**
 * Turns the `-o/--opt key=value` flags of `network create` into network fields. As with Docker's map
 * flags, a key given twice keeps its last value; an unknown key is refused, naming it, rather than
 * silently ignored (a mistyped `-o parnet=eth0` would otherwise make an internal network).
 */
export function driverOptionsFromFlags(opts: readonly string[]): DriverOptionFields {
  const fields: DriverOptionFields = {
    parent: '',
    vlanId: 0,
    mode: MacvlanMode.MACVLAN_MODE_BRIDGE,
    mtu: 0,
    promiscuous: false,
    hostAccess: false,
  };
  for (const opt of opts) {
    const eq = opt.indexOf('=');
    if (eq <= 0) throw new CliUsageError(`-o ${JSON.stringify(opt)}: use key=value, e.g. -o parent=eth0.10`);
    const key = opt.slice(0, eq);
    const setter = Object.hasOwn(SETTERS, key) ? SETTERS[key] : undefined;
    if (!setter) {
      throw new CliUsageError(
        `-o ${key}: unknown option for the macvlan driver: use ${Object.keys(SETTERS).join(', ')}`,
      );
    }
    setter(fields, opt.slice(eq + 1), key);
  }
  return fields;
}

function parseCount(key: string, value: string): number {
  if (!/^\d{1,9}$/.test(value)) throw new CliUsageError(`-o ${key}=${value}: not a number`);
  return Number(value);
}

/** Booleans as Go's strconv.ParseBool reads them, which is what Docker accepts in its options. */
function parseBool(key: string, value: string): boolean {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  throw new CliUsageError(`-o ${key}=${value}: use true or false`);
}
