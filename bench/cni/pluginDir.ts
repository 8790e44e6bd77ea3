/**
 * The CNI_PATH dir the benchmark gives mvnet-cni, made as the install docs make one: `mvnet-cni`, a
 * link to dist's main.js (shebang `#!/usr/bin/env node`); and beside it `empty-node`, a link made the
 * same way to a script holding that shebang and nothing else. Executed alike, the empty one costs
 * what every mvnet-cni call pays before its first line runs: the exec, `/usr/bin/env` finding `node`
 * on PATH, Node's own start-up and exit. What mvnet-cni's ADD takes beyond it (and beyond the agent's
 * CreateEndpoint) is the plugin's own: loading its modules, reading its input, the call to the agent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { findRepoRoot } from '../../tools/findRepoRoot';
import { recordAgent, STATE_DIR_PREFIX } from '../shared/benchLock';

/** The plugin's entry, as `npm run build` made it. */
export const MVNET_CNI_MAIN = path.join(findRepoRoot(), 'dist/client/src/cni/main.js');

export interface PluginDir {
  dir: string;
  mvnetCni: string;
  emptyNode: string;
  /** Removes the dir. */
  remove(): void;
}

/**
 * Makes the dir in the tmp dir (named as the agents' state dirs are, and recorded in the benchmarks'
 * lock like one, so that a later run removes it if this one is killed); throws when the plugin is not built.
 */
export function makePluginDir(): PluginDir {
  if (!fs.existsSync(MVNET_CNI_MAIN)) throw new Error(`${MVNET_CNI_MAIN} is missing: run npm run build`);
  const dir = fs.mkdtempSync(`${STATE_DIR_PREFIX}cni-`);
  recordAgent(undefined, dir);
  const mvnetCni = path.join(dir, 'mvnet-cni');
  fs.symlinkSync(MVNET_CNI_MAIN, mvnetCni);
  fs.chmodSync(MVNET_CNI_MAIN, 0o755);
  const emptyScript = path.join(dir, 'empty-node.js');
  fs.writeFileSync(emptyScript, '#!/usr/bin/env node\n', { mode: 0o755 });
  const emptyNode = path.join(dir, 'empty-node');
  fs.symlinkSync(emptyScript, emptyNode);
  return { dir, mvnetCni, emptyNode, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
