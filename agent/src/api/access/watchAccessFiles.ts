import fs from 'node:fs';
import type { AccessFiles } from './AccessPolicy';

/**
 * Reloads the token and authorization files when either changes on disk, checked every `intervalMs`
 * as the certificates are: a Kubernetes Secret or ConfigMap updated in place (the kubelet swaps a
 * symlink) takes effect without a signal. A change is a file's inode, size or modification time, or
 * the file appearing or going. `reload` is called once per change seen; one that fails (and logs why)
 * is tried again at the next change.
 */
export function watchAccessFiles(
  files: AccessFiles,
  reload: () => void,
  intervalMs: number,
): { stop(): void } {
  const paths = [files.tokenAuthFile, files.authorizationFile].filter((p): p is string => p !== undefined);
  let seen = signature(paths);
  const timer = setInterval(() => {
    const now = signature(paths);
    if (now === seen) return;
    seen = now;
    reload();
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** What tells one version of the files from another, without reading them. */
function signature(paths: readonly string[]): string {
  return paths
    .map((p) => {
      try {
        const s = fs.statSync(p);
        return `${s.ino}:${s.size}:${s.mtimeMs}`;
      } catch {
        return 'none';
      }
    })
    .join(' ');
}
