/**
 * Builds the agent of an earlier commit of this repository into a temporary directory, for the upgrade
 * test: the tree from `git archive` (no worktree to clean up), dependencies, then tsc. node_modules is
 * this checkout's, linked, when every package the old lockfile pins is pinned the same here (so the old
 * agent runs on exactly its own dependencies, and better-sqlite3 is not compiled again); otherwise
 * `npm ci` in the directory, which takes minutes.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface BuiltAgent {
  commit: string;
  /** The old build's dist/agent/src/main.js. */
  main: string;
  /** How its dependencies were had: linked from this checkout, or installed. */
  dependencies: 'linked' | 'installed';
  cleanup(): void;
}

const REPO = path.resolve(__dirname, '../..');

function run(command: string, args: string[], cwd: string, input?: Buffer, timeoutMs = 600_000): Buffer {
  const r = spawnSync(command, args, { cwd, input, timeout: timeoutMs, maxBuffer: 512 * 1024 * 1024 });
  if (r.status !== 0)
    throw new Error(
      `${command} ${args.join(' ')} (in ${cwd}) failed: ${r.error?.message ?? r.stderr.toString()}`,
    );
  return r.stdout;
}

/** The commit's full id; fails loudly, saying how to get it, when this clone does not have it. */
export function resolveCommit(commit: string): string {
  const r = spawnSync('git', ['-C', REPO, 'rev-parse', '--verify', '--quiet', `${commit}^{commit}`], {
    encoding: 'utf8',
  });
  if (r.status !== 0)
    throw new Error(
      `commit ${commit} is not in this clone (${REPO}): the upgrade test builds the agent of that commit. ` +
        'A shallow clone lacks it: run `git fetch --unshallow` (or clone without --depth).',
    );
  return r.stdout.trim();
}

/** Whether every package of the old lockfile has the same version and integrity in this checkout's. */
function sameDependencies(oldLock: string, newLock: string): boolean {
  type Lock = { packages?: Record<string, { version?: string; integrity?: string }> };
  const older = (JSON.parse(oldLock) as Lock).packages ?? {};
  const newer = (JSON.parse(newLock) as Lock).packages ?? {};
  return Object.entries(older).every(
    ([key, pkg]) =>
      key === '' || (newer[key]?.version === pkg.version && newer[key]?.integrity === pkg.integrity),
  );
}

export function buildAgentAt(commit: string): BuiltAgent {
  const full = resolveCommit(commit);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mvnet-agent-${commit}-`));
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    run('tar', ['-x', '-C', dir], dir, run('git', ['-C', REPO, 'archive', '--format=tar', full], REPO));
    const linked = sameDependencies(
      fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8'),
      fs.readFileSync(path.join(REPO, 'package-lock.json'), 'utf8'),
    );
    if (linked) fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'));
    // --ignore-scripts: not the package's own `prepare` (the build below); better-sqlite3's install after.
    else {
      run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], dir, undefined, 1_200_000);
      run('npm', ['rebuild', 'better-sqlite3', 'koffi'], dir, undefined, 1_200_000);
    }
    run(
      process.execPath,
      [path.join(dir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      dir,
    );
    const main = path.join(dir, 'dist/agent/src/main.js');
    if (!fs.existsSync(main)) throw new Error(`the build of ${commit} has no ${main}`);
    return { commit: full, main, dependencies: linked ? 'linked' : 'installed', cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}
