import execa from 'execa';
import { KernelError } from '../../domain/errors';

/** The outcome of one process (or one line of an `ip -batch` process) that ran to its end. */
export interface CommandResult {
  argv: readonly string[];
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs one process from an argv array (never through a shell) and returns its outcome, whatever its
 * exit code. Throws a KernelError only when the process could not run or was killed.
 */
export async function runCommand(argv: readonly string[], input?: string): Promise<CommandResult> {
  const [file, ...args] = argv;
  // LC_ALL=C: iproute2 prints strerror() text, which glibc translates; callers match on the English.
  const r = await execa(file, args, { reject: false, input, env: { LC_ALL: 'C' } });
  if (typeof r.exitCode !== 'number' || r.signal) {
    // With reject: false a spawn failure (ENOENT...) comes back as an ExecaError, carrying shortMessage.
    const why = (r as { shortMessage?: string }).shortMessage ?? `killed by ${r.signal}`;
    throw new KernelError(`cannot run ${file}: ${why}`, argv, undefined, r.stderr ?? '');
  }
  return { argv, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

/** The first line of ip's stderr, without the prefixes that say nothing to a person. */
export function shortReason(stderr: string, fallback: string): string {
  const line = stderr.split('\n').find((l) => l.trim() !== '') ?? fallback;
  return line.replace(/^(Error: |RTNETLINK answers: )/, '').trim();
}

/** The KernelError "cannot <action>: <first stderr line>", keeping argv, exit code and stderr for the logs. */
export function kernelErrorFrom(action: string, r: CommandResult): KernelError {
  const short = shortReason(r.stderr, `exit code ${r.exitCode}`);
  return new KernelError(`cannot ${action}: ${short}`, r.argv, r.exitCode, r.stderr);
}
