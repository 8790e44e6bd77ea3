/**
 * Named network namespaces (`ip netns`): what tests and benchmarks need to build throwaway hosts and
 * containers. Every process runs from an argv array, never through a shell, with LC_ALL=C (callers
 * and these helpers match ip's English error messages).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';

interface IpResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `argv` to its end; resolves its exit code and output whatever the code, rejects if it cannot run. */
function run(argv: readonly string[]): Promise<IpResult> {
  const [file, ...args] = argv;
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (!err) return resolve({ code: 0, stdout, stderr });
        // A number: the exit code. Otherwise it did not run (ENOENT) or a signal ended it (null).
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'number') resolve({ code, stdout, stderr });
        else reject(new Error(`cannot run ${argv.join(' ')}: ${err.message}`));
      },
    );
  });
}

/** `argv` and why it failed, the first line of its stderr first. */
function failure(argv: readonly string[], r: IpResult): Error {
  const reason = r.stderr.trim().split('\n')[0] || `exit code ${r.code}`;
  return new Error(`${argv.join(' ')}: ${reason}`);
}

/** Runs `argv`; returns its stdout, or throws with its stderr when it exits non-zero. */
async function runChecked(argv: readonly string[]): Promise<string> {
  const r = await run(argv);
  if (r.code !== 0) throw failure(argv, r);
  return r.stdout;
}

/** Creates the named netns `name` (fails when it exists). */
export async function addNetns(name: string): Promise<void> {
  await runChecked(['ip', 'netns', 'add', name]);
}

/**
 * Deletes the named netns `name`; a missing one is success. The kernel frees the namespace, and the
 * links in it, once no process holds it any more.
 */
export async function deleteNetns(name: string): Promise<void> {
  const argv = ['ip', 'netns', 'del', name];
  const r = await run(argv);
  if (r.code !== 0 && !r.stderr.includes('No such file or directory')) throw failure(argv, r);
}

/** Where `ip netns` keeps the named network namespaces (iproute2's NETNS_RUN_DIR; /var/run is /run). */
const NETNS_RUN_DIR = '/run/netns';

/**
 * The names of the named network namespaces: the entries of /run/netns, as `ip netns list` gives them.
 * Read here rather than through ip, which opens every entry to learn its id, and blocks for good on a
 * FIFO there (a test of the agent's netns checks makes one for a moment).
 */
export async function listNetns(): Promise<string[]> {
  try {
    return (await fs.promises.readdir(NETNS_RUN_DIR)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []; // no namespace was ever added
    throw err;
  }
}

/** Runs `argv` inside the named netns (`ip netns exec`) and returns its stdout; throws on a non-zero exit. */
export async function runIn(netns: string, argv: readonly string[]): Promise<string> {
  return runChecked(['ip', 'netns', 'exec', netns, ...argv]);
}

/** Creates a veth pair: `a` in netns `netnsA`, its peer `b` in netns `netnsB` (the same one is fine). */
export async function addVethPair(a: string, netnsA: string, b: string, netnsB: string): Promise<void> {
  await runChecked([
    'ip',
    '-n',
    netnsA,
    'link',
    'add',
    a,
    'type',
    'veth',
    'peer',
    'name',
    b,
    'netns',
    netnsB,
  ]);
}
