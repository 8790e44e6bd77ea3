import fs from 'node:fs';
import type { Logger } from 'pino';
import { reloadAccessPolicy, type AccessFiles, type AccessPolicy } from './AccessPolicy';

/** The access files kept current: `reload` reads them now (SIGHUP), `stop` ends the watch. */
export interface AccessFilesWatch {
  /** True when the files were read and put in force; false, with why in the log, when refused. */
  reload(): boolean;
  stop(): void;
}

/**
 * Keeps `policy` on the token and authorization files the flags name: reloads them when either
 * changes on disk, checked every `intervalMs` as the certificates are, so that a Kubernetes Secret or
 * ConfigMap updated in place (the kubelet swaps a symlink) takes effect without a signal. A change is
 * a file's inode, size or modification time, or the file appearing or going. A reload that is refused
 * (reloadAccessPolicy: nothing changes) is logged, and tried again at the next change. Without either
 * file there is nothing to watch, and no timer.
 */
export function watchAccessFiles(
  policy: AccessPolicy,
  files: AccessFiles,
  logger: Logger,
  intervalMs: number,
): AccessFilesWatch {
  const reload = (): boolean => {
    try {
      reloadAccessPolicy(policy, files, logger);
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'reload refused: the access files in force stay');
      return false;
    }
    logger.info('access files reloaded');
    return true;
  };
  const paths = [files.tokenAuthFile, files.authorizationFile].filter((p): p is string => p !== undefined);
  if (paths.length === 0) return { reload, stop: () => undefined };
  let seen = signature(paths);
  const timer = setInterval(() => {
    const now = signature(paths);
    if (now === seen) return;
    seen = now;
    reload();
  }, intervalMs);
  timer.unref();
  return { reload, stop: () => clearInterval(timer) };
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
