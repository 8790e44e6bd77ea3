/**
 * The CNI benchmark's table as rows of cells (shared/formatTable.ts renders it for the console and
 * for BENCHMARKS.md alike), and its verdict lines.
 */
import type { Table } from '../shared/formatTable';
import type { Summary } from '../shared/summarize';
import { OWN_COST_BUDGET_MS, type CniFigures } from './cniFigures';

const ms = (x: number) => x.toFixed(1);

function row(label: string, x: Summary): string[] {
  return [label, ms(x.median), ms(x.p90), `${ms(x.min)}–${ms(x.max)}`];
}

/** One call per side, in ms. */
export function cniAddTable(f: CniFigures): Table {
  const s = f.sides;
  return {
    header: ['one call (ms)', 'median', 'p90', 'min–max'],
    rows: [
      row('mvnet-cni ADD: nsenter + node + plugin → agent → kernel → result', s.mvnetCni),
      row('↳ the empty node start: nsenter + `#!/usr/bin/env node` script, empty', s.emptyNode),
      row("↳ the agent's CreateEndpoint alone (warm SDK, same socket)", s.createEndpoint),
      row('↳ mvnet-cni VERSION: nsenter + node + the plugin loaded, no agent', s.version),
      row('CNI macvlan ADD: nsenter + macvlan plugin + static IPAM', s.macvlan),
      row('the nsenter wrapper alone (nsenter /bin/true)', s.wrapper),
    ],
  };
}

/** The breakdown of mvnet-cni's ADD, one line each. */
export function breakdownLines(f: CniFigures): string[] {
  const p = f.ownCostPaired;
  return [
    `mvnet-cni's own cost (ADD − empty node − CreateEndpoint, medians): ${ms(f.ownCost)} ms; ` +
      `per iteration, median ${ms(p.median)} ms (p90 ${ms(p.p90)})`,
    `of which loading the plugin (VERSION − empty node, medians): ${ms(f.loading)} ms`,
  ];
}

const verdict = (met: boolean) => (met ? 'met' : 'NOT met');

/** The figures against issue 16's budget and its peer, one line each. */
export function verdictLines(f: CniFigures): string[] {
  const s = f.sides;
  return [
    `mvnet-cni ADD − empty node start − CreateEndpoint = ${ms(f.ownCost)} ms (medians: ` +
      `${ms(s.mvnetCni.median)} − ${ms(s.emptyNode.median)} − ${ms(s.createEndpoint.median)}; target ≤ ` +
      `${OWN_COST_BUDGET_MS} ms): ${verdict(f.met)}`,
    `one ADD: mvnet-cni / CNI macvlan = ${f.ratio.toFixed(2)} (medians, both through nsenter; no target: ` +
      `Node against a Go binary, reported as it is); without the wrapper: ${f.ratioWithoutWrapper.toFixed(2)}`,
  ];
}
