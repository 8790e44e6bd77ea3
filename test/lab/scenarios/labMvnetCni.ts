/**
 * mvnet-cni where a runtime in the lab finds it: `$CNI_PATH/mvnet-cni`, a link to this checkout's
 * built plugin, in a CNI_PATH dir of the lab's own /tmp. The lab mounts the repository read-only, so
 * the plugin cannot be made executable here (test/support/cniPlugin.ts's way): it must be before the
 * lab boots (test/lab/multihost.test.ts does it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findRepoRoot } from '../../../tools/findRepoRoot';

/** The built plugin, found from the source (jest) and from dist/ (`npm run lab`) alike. */
export const MVNET_CNI_MAIN = path.join(findRepoRoot(), 'dist/client/src/cni/main.js');

export interface LabMvnetCni {
  /** `<cniPath>/mvnet-cni`. */
  plugin: string;
  cniPath: string;
  remove(): void;
}

/** Installs the link in a new dir; throws, saying what to do, when the plugin is not executable. */
export function installLabMvnetCni(): LabMvnetCni {
  try {
    fs.accessSync(MVNET_CNI_MAIN, fs.constants.X_OK);
  } catch {
    throw new Error(
      `${MVNET_CNI_MAIN} is missing or not executable, and the lab mounts the repository read-only: ` +
        'build, then chmod 755 it before the lab boots (tsc writes 0644; test/lab/multihost.test.ts does it for npm test)',
    );
  }
  const cniPath = fs.mkdtempSync(path.join(os.tmpdir(), 'cni-bin-'));
  const plugin = path.join(cniPath, 'mvnet-cni');
  fs.symlinkSync(MVNET_CNI_MAIN, plugin);
  return { plugin, cniPath, remove: () => fs.rmSync(cniPath, { recursive: true, force: true }) };
}
