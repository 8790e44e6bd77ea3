/**
 * mvnet-cni where a runtime finds it: `$CNI_PATH/mvnet-cni`, here a link to this checkout's built
 * plugin (dist/, made executable: tsc does not set the mode).
 */
import fs from 'node:fs';
import path from 'node:path';
import { findRepoRoot } from '../../tools/findRepoRoot';

export const MVNET_CNI_MAIN = path.join(findRepoRoot(), 'dist/client/src/cni/main.js');

/** Makes `dir/mvnet-cni` (a symlink to the built plugin) and returns its path; `dir` is then the runtime's CNI_PATH. */
export function installMvnetCni(dir: string): string {
  if (!fs.existsSync(MVNET_CNI_MAIN)) throw new Error(`${MVNET_CNI_MAIN} is missing: run npm run build`);
  fs.chmodSync(MVNET_CNI_MAIN, 0o755);
  fs.mkdirSync(dir, { recursive: true });
  const plugin = path.join(dir, 'mvnet-cni');
  fs.rmSync(plugin, { force: true });
  fs.symlinkSync(MVNET_CNI_MAIN, plugin);
  return plugin;
}
