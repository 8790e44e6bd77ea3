import { endpointStateToJSON, EndpointState } from '../../../proto/gen/mvnet/v1/endpoint';
import {
  macvlanModeToJSON,
  MacvlanMode,
  networkStateToJSON,
  NetworkState,
} from '../../../proto/gen/mvnet/v1/network';

/** The columns of one table: headers, then one row of cells per object. */
export interface Table {
  headers: string[];
  rows: string[][];
}

/**
 * Renders a table as Docker does: each column as wide as its widest cell, columns three spaces apart,
 * no padding after the last one. An empty cell is shown as `-`, so that `awk` still counts columns.
 */
export function renderTable({ headers, rows }: Table): string {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (cell === '' ? '-' : cell)))];
  const widths = headers.map((_, col) => Math.max(...cells.map((row) => (row[col] ?? '').length)));
  return cells
    .map((row) =>
      row.map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col]))).join('   '),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** Renders `key: value` lines with the values aligned, indented by `indent` spaces. */
export function renderFields(fields: [string, string][], indent = 0): string {
  const width = Math.max(...fields.map(([key]) => key.length)) + 1;
  return fields.map(([key, value]) => `${' '.repeat(indent)}${`${key}:`.padEnd(width)}  ${value}\n`).join('');
}

/** JSON output: indented by 2 spaces, one trailing newline. */
export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** A macvlan mode as ip-link(8) names it: `bridge`, `private`, `vepa`, `passthru`. */
export function modeName(mode: MacvlanMode): string {
  if (mode === MacvlanMode.MACVLAN_MODE_UNSPECIFIED) return 'bridge';
  return macvlanModeToJSON(mode)
    .replace(/^MACVLAN_MODE_/, '')
    .toLowerCase();
}

/** A network state for people: `ready`, `degraded`, `parent-missing` (`unknown` when unset). */
export function stateName(state: NetworkState | undefined): string {
  if (state === undefined || state === NetworkState.NETWORK_STATE_UNSPECIFIED) return 'unknown';
  return networkStateToJSON(state)
    .replace(/^NETWORK_STATE_/, '')
    .toLowerCase()
    .replace(/_/g, '-');
}

/** An endpoint state for people: `ready`, `lost`, `failed` (`unknown` when unset). */
export function endpointStateName(state: EndpointState | undefined): string {
  if (state === undefined || state === EndpointState.ENDPOINT_STATE_UNSPECIFIED) return 'unknown';
  return endpointStateToJSON(state)
    .replace(/^ENDPOINT_STATE_/, '')
    .toLowerCase();
}

/** Orders texts by code unit, as `sort` does in the C locale: for names in listings. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `yes` or `no`. */
export function yesNo(value: boolean | undefined): string {
  return value ? 'yes' : 'no';
}
