/**
 * Named network namespaces (`ip netns`): the few helpers the tests and the demo need to build
 * throwaway hosts and containers. Every process goes through runCommand, from an argv array.
 */
import { kernelErrorFrom, runCommand } from './iproute2/runCommand';

/** Creates the named netns `name` (fails when it exists). */
export async function addNetns(name: string): Promise<void> {
  const r = await runCommand(['ip', 'netns', 'add', name]);
  if (r.exitCode !== 0) throw kernelErrorFrom(`add netns ${name}`, r);
}

/**
 * Deletes the named netns `name`; a missing one is success. The kernel frees the namespace, and the
 * links in it, once no process holds it any more.
 */
export async function deleteNetns(name: string): Promise<void> {
  const r = await runCommand(['ip', 'netns', 'del', name]);
  if (r.exitCode === 0 || r.stderr.includes('No such file or directory')) return;
  throw kernelErrorFrom(`delete netns ${name}`, r);
}

/** The names of the named network namespaces. */
export async function listNetns(): Promise<string[]> {
  const r = await runCommand(['ip', '-j', 'netns', 'list']);
  if (r.exitCode !== 0) throw kernelErrorFrom('list netns', r);
  // Without /run/netns ip prints nothing at all rather than [].
  const entries = r.stdout.trim() === '' ? [] : (JSON.parse(r.stdout) as { name: string }[]);
  return entries.map((e) => e.name);
}

/** Runs `argv` inside the named netns (`ip netns exec`) and returns its stdout; throws on a non-zero exit. */
export async function runIn(netns: string, argv: readonly string[]): Promise<string> {
  const r = await runCommand(['ip', 'netns', 'exec', netns, ...argv]);
  if (r.exitCode !== 0) throw kernelErrorFrom(`run ${argv[0]} in netns ${netns}`, r);
  return r.stdout;
}

/** Creates a veth pair: `a` in netns `netnsA`, its peer `b` in netns `netnsB` (the same one is fine). */
export async function addVethPair(a: string, netnsA: string, b: string, netnsB: string): Promise<void> {
  const argv = ['ip', '-n', netnsA, 'link', 'add', a, 'type', 'veth', 'peer', 'name', b, 'netns', netnsB];
  const r = await runCommand(argv);
  if (r.exitCode !== 0) throw kernelErrorFrom(`add veth pair ${a}/${b}`, r);
}
