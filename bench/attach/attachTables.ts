/**
 * The attach benchmark's tables as rows of cells (shared/formatTable.ts renders them for the console
 * and for BENCHMARKS.md, so that both always say the same), and its summary lines.
 */
import type { Table } from '../shared/formatTable';
import { Summary } from '../shared/summarize';
import {
  AttachFigures,
  BULK_TARGET,
  endpointsPerSecond,
  ONE_ATTACH_TARGET,
  SDK_FLOOR_TARGET,
} from './attachFigures';

const ms = (x: number) => x.toFixed(1);
const s = (x: number) => (x / 1000).toFixed(2);

function oneRow(label: string, x: Summary | undefined): string[] {
  if (!x) return [label, 'n/a', 'n/a', 'n/a'];
  return [label, ms(x.median), ms(x.p90), `${ms(x.min)}–${ms(x.max)}`];
}

/** Part 1: one attach, in ms. */
export function oneAttachTable(f: AttachFigures): Table {
  const o = f.one;
  return {
    header: ['one attach (ms)', 'median', 'p90', 'min–max'],
    rows: [
      oneRow('mvnet: CreateEndpoint, SDK → agent → kernel → reply', o.mvnet),
      oneRow('↳ agent log: its kernel work (totalMs)', o.agentKernel),
      oneRow('↳ of which: the link made, from the host netns (hostMs)', o.agentHost),
      oneRow("the SDK's empty call (checkHealth: Health/Check), SDK → agent → reply", o.ping),
      oneRow('↳ the floor: an empty unary call, bare grpc-js client → bare grpc-js server', o.floor),
      oneRow('CNI: nsenter + macvlan plugin + static IPAM (one ADD)', o.cni),
      oneRow('↳ the nsenter wrapper alone (nsenter /bin/true)', o.wrapper),
      oneRow('plain ip: 4 processes (link add, addr, up, route)', o.plainIp),
    ],
  };
}

/** Part 2: the whole batch, wall time. */
export function bulkAttachTable(f: AttachFigures): Table {
  const b = f.bulk;
  const row = (label: string, x: Summary, cpu: Summary) => [
    label,
    s(x.median),
    `${s(x.min)}–${s(x.max)}`,
    endpointsPerSecond(f, x.median).toFixed(0),
    ms(cpu.median),
  ];
  const { endpoints, parallel, runs } = f.settings;
  return {
    header: [
      `${endpoints} endpoints, ${parallel} in flight, ${runs} runs (wall s)`,
      'median',
      'min–max',
      'endpoints/s',
      'CPU ms/endpoint',
    ],
    rows: [
      row('mvnet: CreateEndpoint RPCs', b.mvnet, b.mvnetCpuPerEndpoint),
      row('CNI: macvlan ADD processes', b.cni, b.cniCpuPerEndpoint),
    ],
  };
}

const verdict = (met: boolean) => (met ? 'met' : 'NOT met');

/** How many CPUs a side kept busy on average in part 2: CPU time per endpoint / wall time per endpoint. */
export function cpuLine(f: AttachFigures): string {
  const busy = (cpu: Summary, wall: Summary) =>
    (cpu.median / (wall.median / f.settings.endpoints)).toFixed(2);
  const b = f.bulk;
  return (
    `part 2: mvnet kept ${busy(b.mvnetCpuPerEndpoint, b.mvnet)} CPUs busy on average, ` +
    `CNI ${busy(b.cniCpuPerEndpoint, b.cni)}, of the ${f.machine.cpus} there are`
  );
}

/** The ratios against their targets, one line each. */
export function verdictLines(f: AttachFigures): string[] {
  return [
    `one attach: mvnet/CNI without the nsenter wrapper = ${f.one.ratioWithoutWrapper.toFixed(2)} ` +
      `(medians; target ≤ ${ONE_ATTACH_TARGET}): ${verdict(f.one.met)}; with the wrapper: ${f.one.ratio.toFixed(2)}`,
    `the SDK's empty call / bare grpc-js's = ${f.one.sdkOverFloor.toFixed(2)} (medians; target ≤ ` +
      `${SDK_FLOOR_TARGET}): ${verdict(f.one.sdkMet)}`,
    `${f.settings.endpoints} endpoints: mvnet is ${f.bulk.speedup.toFixed(2)}× as fast as CNI ` +
      `(median wall times; target ≥ ${BULK_TARGET}×): ${verdict(f.bulk.met)}`,
  ];
}
