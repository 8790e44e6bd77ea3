/**
 * The check after the empty spec's Apply (not timed): every container is back to its loopback alone,
 * so the detach really removed each link from the kernel, not just from the agent's state.
 */
import type { Attachment } from '../attach/attachmentPlan';
import { runPool } from '../attach/runPool';
import { runChecked } from '../shared/runProcess';

/** Checks every container (8 at a time); throws listing those that still hold a link besides lo. */
export async function verifyDetached(side: string, batch: readonly Attachment[]): Promise<void> {
  const problems: string[] = [];
  await runPool(batch, 8, async (a) => {
    const links = JSON.parse(await runChecked(['ip', '-n', a.container, '-j', 'link', 'show'])) as {
      ifname: string;
    }[];
    const left = links.map((l) => l.ifname).filter((name) => name !== 'lo');
    if (left.length > 0) problems.push(`${a.container}: still has ${left.join(', ')}`);
  });
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).join('; ');
    throw new Error(`${side}: ${problems.length} of ${batch.length} containers not detached: ${shown}`);
  }
}
