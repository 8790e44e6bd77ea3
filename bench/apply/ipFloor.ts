/**
 * The floor: the same links made and removed with the fewest iproute2 processes. One
 * `ip -n mvb-host -batch -` makes every macvlan from the host's netns right inside its container
 * (`netns` on `link add`, as plain ip, CNI and the agent do), then one `ip -n <container> -batch -` per
 * container gives its link the address, raises it and adds the default route, `parallel` of them in
 * flight. The lines are plain ip's commands (attach/plainIpAttach.ts) without their `ip -n NETNS`.
 * Removing takes one `ip -n <container> link del` per container (one batch cannot span namespaces).
 */
import { Attachment, HOST_NETNS } from '../attach/attachmentPlan';
import { plainIpCommands } from '../attach/plainIpAttach';
import { runPool } from '../attach/runPool';
import { runChecked } from '../shared/runProcess';

/** `ip -n NETNS link add ...` as the batch line `link add ...`. */
const batchLine = (argv: string[]) => `${argv.slice(3).join(' ')}\n`;

/** Attaches the batch with 1 + batch.length `ip -batch` processes; returns the wall time in ms. */
export async function ipBatchAttach(batch: readonly Attachment[], parallel: number): Promise<number> {
  const links = batch.map((a) => batchLine(plainIpCommands(a)[0])).join('');
  const insides = batch.map((a) => ({
    container: a.container,
    input: plainIpCommands(a).slice(1).map(batchLine).join(''),
  }));
  const start = process.hrtime.bigint();
  await runChecked(['ip', '-n', HOST_NETNS, '-batch', '-'], { input: links });
  await runPool(insides, parallel, ({ container, input }) =>
    runChecked(['ip', '-n', container, '-batch', '-'], { input }),
  );
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Removes every container's eth0, `parallel` processes in flight; returns the wall time in ms. */
export async function ipDetach(batch: readonly Attachment[], parallel: number): Promise<number> {
  return runPool(batch, parallel, (a) => runChecked(['ip', '-n', a.container, 'link', 'del', 'dev', 'eth0']));
}
