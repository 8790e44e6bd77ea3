/** The tables of the profiled restart and reboot (profileRestore.ts), the same for the console and the file. */
import type { ProfileCosts } from '../apply/cpuProfileCosts';
import type { Table } from '../shared/formatTable';
import type { ProfiledRestore } from './profileRestore';

const ms = (x: number) => x.toFixed(0);
const share = (c: ProfileCosts, x: number) => `${ms(x)} (${((100 * x) / c.windowMs).toFixed(0)} %)`;

/** Where the agent's thread spent a restart and a reboot, spawn to the client's check. */
export function profileTable(p: ProfiledRestore): Table {
  const { restart, reboot } = p;
  return {
    header: ["the agent's thread, profiled start (ms, % of the start)", 'restart', 'reboot'],
    rows: [
      ['the whole start, spawn to the check, as timed', ms(restart.windowMs), ms(reboot.windowMs)],
      [
        'sampled: the process was running (after its spawn)',
        share(restart, restart.sampledMs),
        share(reboot, reboot.sampledMs),
      ],
      ...restart.rows.map((r, i) => [r.label, share(restart, r.ms), share(reboot, reboot.rows[i].ms)]),
    ],
  };
}

/** The functions that took the most time themselves in one profiled start. */
export function hottestTable(p: ProfiledRestore, which: keyof ProfiledRestore): Table {
  const c = p[which];
  return {
    header: [`hottest functions, profiled ${which} (self time)`, 'ms', '% of the start'],
    rows: c.hottest.map((h) => [`\`${h.label}\``, ms(h.ms), ((100 * h.ms) / c.windowMs).toFixed(0)]),
  };
}
