// The lab runner on real user-mode Linux boots (a few seconds each): results, the state dir as the
// only writable place on the machine's disk, reboots, and that a timed-out or failed run leaves no
// process behind.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { findRepoRoot } from '../../tools/findRepoRoot';
import { labFilesDir, labStateRoot } from '../../tools/lab/labPaths';
import { runInLab } from '../../tools/lab/runLab';

const BOOT_TIMEOUT_MS = 60_000;
const TEST_TIMEOUT_MS = 120_000;

/** A fresh state dir for one test, under .lab-state/runner/. */
function freshStateDir(name: string): string {
  const dir = path.join(labStateRoot(), 'runner', name);
  fs.rmSync(dir, { recursive: true, force: true });
  return dir;
}

/**
 * Host processes of the instance on this state dir: every linux.uml process carries the command
 * line, hence `uml_dir=<stateDir>/.lab`. (Other people's lab instances may be running: never
 * `pgrep linux.uml` alone.)
 */
function instanceProcesses(stateDir: string): number[] {
  const marker = `uml_dir=${labFilesDir(fs.realpathSync(stateDir))}\0`;
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

describe('runInLab', () => {
  it(
    'returns the exit code and output of the command, with its environment and working directory',
    async () => {
      const stateDir = freshStateDir('result');
      const result = await runInLab({
        command: ['sh', '-c', 'echo "out $GREETING"; pwd; echo err >&2; exit 7'],
        env: { GREETING: "it's me" },
        cwd: findRepoRoot(),
        stateDir,
        timeoutMs: BOOT_TIMEOUT_MS,
      });
      expect(result.exitCode).toBe(7);
      expect(result.output).toBe(`out it's me\n${findRepoRoot()}\nerr\n`);
      expect(result.bootMs).toBeGreaterThan(0);
      expect(result.totalMs).toBeGreaterThanOrEqual(result.bootMs);
      expect(fs.readFileSync(result.consoleLog, 'utf8')).toContain('mvnet-lab: booted');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'lets the command write to its state dir and private tmpfs only',
    async () => {
      const stateDir = freshStateDir('writes');
      const outside = path.join(labStateRoot(), 'runner', 'written-from-the-lab');
      fs.rmSync(outside, { force: true });
      const script = `touch ${outside} 2>/dev/null && echo outside; touch /tmp/x /run/x /var/tmp/x && echo tmpfs; touch data && echo state`;
      const result = await runInLab({ command: ['sh', '-c', script], stateDir, timeoutMs: BOOT_TIMEOUT_MS });
      expect(result.output).toBe('tmpfs\nstate\n');
      expect(fs.existsSync(outside)).toBe(false);
      expect(fs.existsSync(path.join(stateDir, 'data'))).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'mounts what it needs under /tmp from the machine: its working dir read-only, a state dir read-write',
    async () => {
      // As for a clone of the repository in /tmp (the lab's /tmp is a tmpfs of its own).
      const base = fs.mkdtempSync('/tmp/mvnet-lab-test-');
      try {
        const work = path.join(base, 'work');
        fs.mkdirSync(work);
        fs.writeFileSync(path.join(work, 'note'), 'from the machine\n');
        fs.writeFileSync(path.join(base, 'hidden'), '');
        const stateDir = path.join(base, 'state');
        const script = `cat note; touch note 2>/dev/null || echo read-only; echo written > "$MVNET_LAB_STATE/data"; ls ${base}`;
        const result = await runInLab({
          command: ['sh', '-c', script],
          cwd: work,
          stateDir,
          timeoutMs: BOOT_TIMEOUT_MS,
        });
        // Of the machine's files under /tmp, only those two directories are there.
        expect(result.output).toBe('from the machine\nread-only\nstate\nwork\n');
        expect(fs.readFileSync(path.join(stateDir, 'data'), 'utf8')).toBe('written\n');
      } finally {
        fs.rmSync(base, { recursive: true, force: true });
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'boots again on the same state dir as a rebooted host: files kept, kernel state new',
    async () => {
      const stateDir = freshStateDir('reboot');
      const script =
        'cat boot-id 2>/dev/null; cat /proc/sys/kernel/random/boot_id > boot-id; ' +
        'ip -br link show dev keep0 2>/dev/null; ip link add keep0 type dummy; ip netns list';
      const first = await runInLab({ command: ['sh', '-c', script], stateDir, timeoutMs: BOOT_TIMEOUT_MS });
      const firstBootId = fs.readFileSync(path.join(stateDir, 'boot-id'), 'utf8');
      const second = await runInLab({ command: ['sh', '-c', script], stateDir, timeoutMs: BOOT_TIMEOUT_MS });

      expect(first.output).toBe('');
      // The second boot reads the first one's boot id from the state dir, and finds no keep0.
      expect(second.output).toBe(firstBootId);
      expect(fs.readFileSync(path.join(stateDir, 'boot-id'), 'utf8')).not.toBe(firstBootId);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'kills the instance and every process of it when the run times out',
    async () => {
      const stateDir = freshStateDir('timeout');
      const run = runInLab({ command: ['sleep', '600'], stateDir, timeoutMs: 8_000 });
      // Booted or not (a loaded machine boots slower), the whole instance must be gone.
      await expect(run).rejects.toThrow(
        /timed out after 8000 ms \((after booting in \d+ ms|before it booted)\)/,
      );
      expect(instanceProcesses(stateDir)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'reports an instance that died under the command, and leaves none of its processes',
    async () => {
      const stateDir = freshStateDir('crash');
      let killed = false;
      const run = runInLab({
        command: ['sleep', '600'],
        stateDir,
        timeoutMs: BOOT_TIMEOUT_MS,
        // Once the command runs, kill linux.uml's main process as a crash would (its pid file is
        // in the uml_dir); its helper processes stay behind unless the runner ends them.
        onConsole: (text) => {
          if (killed || !text.includes('mvnet-lab: booted')) return;
          killed = true;
          const pidFile = path.join(labFilesDir(fs.realpathSync(stateDir)), 'lab', 'pid');
          process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL');
        },
      });
      await expect(run).rejects.toThrow(/stopped before the command finished.*killed by signal 9/);
      expect(instanceProcesses(stateDir)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'kills the instance within seconds when a process it serves dies',
    async () => {
      // The outer jest worker waiting for the lab CLI is such a process; here a `sleep` stands in.
      const stateDir = freshStateDir('owner');
      const owner = spawn('sleep', ['5'], { stdio: 'ignore' });
      const started = Date.now();
      const run = runInLab({
        command: ['sleep', '600'],
        stateDir,
        timeoutMs: 60_000,
        ownerPids: [owner.pid!],
      });
      await expect(run).rejects.toThrow(/stopped before the command finished.*was killed/);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(instanceProcesses(stateDir)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'says so when the instance does not boot, with the end of its console',
    async () => {
      // 1 MiB is far below what the kernel needs: linux.uml stops before init.
      const stateDir = freshStateDir('noboot');
      const run = runInLab({ command: ['true'], stateDir, timeoutMs: BOOT_TIMEOUT_MS, memMb: 1 });
      await expect(run).rejects.toThrow(/did not boot[\s\S]*Too few physical memory/);
      expect(instanceProcesses(stateDir)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses a state dir that another run is using',
    async () => {
      const stateDir = freshStateDir('busy');
      const first = runInLab({ command: ['sleep', '3'], stateDir, timeoutMs: BOOT_TIMEOUT_MS });
      const second = runInLab({ command: ['true'], stateDir, timeoutMs: BOOT_TIMEOUT_MS });
      // Both settled before any expectation: a rejection nobody awaits would crash the jest process.
      const [firstRun, secondRun] = await Promise.allSettled([first, second]);
      expect(secondRun).toMatchObject({
        status: 'rejected',
        reason: { message: expect.stringMatching(/is in use by process \d+/) },
      });
      expect(firstRun).toMatchObject({ status: 'fulfilled', value: { exitCode: 0 } });
    },
    TEST_TIMEOUT_MS,
  );

  it('fails with the package to install when linux.uml is missing', async () => {
    const saved = process.env.MVNET_LAB_UML;
    process.env.MVNET_LAB_UML = '/nonexistent/linux.uml';
    try {
      await expect(
        runInLab({ command: ['true'], stateDir: freshStateDir('missing'), timeoutMs: BOOT_TIMEOUT_MS }),
      ).rejects.toThrow(/not installed: \/nonexistent\/linux.uml .*apt-get install user-mode-linux kmod/);
    } finally {
      if (saved === undefined) delete process.env.MVNET_LAB_UML;
      else process.env.MVNET_LAB_UML = saved;
    }
  });
});
