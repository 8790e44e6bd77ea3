/**
 * Runs a benchmark as a process should. It takes the machine first (claimMachine: root, the
 * benchmarks' lock, what a killed run left removed); Ctrl-C or SIGTERM cleans up and exits, a watchdog
 * gives up after `watchdogMs` (a benchmark always ends by itself), a failure cleans up too. Cleaning
 * up stops any more namespaces being made, runs what the benchmark deferred (stopping its agent),
 * removes its namespaces and releases the lock: once, whoever asks first, and only once the lock is
 * this run's (until then the namespaces may be another run's).
 */
import { claimBenchLock, releaseBenchLock } from './benchLock';
import { closeNamespaces, removeNamespaces } from './benchNamespaces';

/** What a benchmark's main function works with. */
export interface BenchmarkRun {
  /** Prints a line on stdout. */
  say(text: string): void;
  /** Takes the lock (root needed) and removes what an earlier run left; says what it found. */
  claimMachine(): Promise<void>;
  /** Runs `cleanup` when cleaning up, latest first, before the namespaces go; a failure is said as `cannot <what>`. */
  defer(what: string, cleanup: () => Promise<void>): void;
  /** Cleans up now (the benchmark is done with the machine); later calls wait for the same. */
  cleanUp(): Promise<void>;
}

export interface BenchmarkOptions {
  /** Every namespace the benchmark makes starts with this; a leftover agent serving one is ended (benchLock.ts). */
  netnsPrefix: string;
  watchdogMs: number;
  main(run: BenchmarkRun): Promise<void>;
}

export function runBenchmark(opts: BenchmarkOptions): void {
  const say = (text: string) => process.stdout.write(`${text}\n`);
  // A closed stdout (`| head`) must not end the run before it has cleaned up: the rest goes unsaid.
  process.stdout.on('error', () => undefined);
  let lockHeld = false;
  let cleaning: Promise<void> | undefined;
  const deferred: { what: string; cleanup: () => Promise<void> }[] = [];
  const cleanUp = (): Promise<void> =>
    (cleaning ??= (async () => {
      if (!lockHeld) return;
      await closeNamespaces();
      for (const { what, cleanup } of deferred.splice(0).reverse())
        await cleanup().catch((err: Error) => say(`cannot ${what}: ${err.message}`));
      await removeNamespaces(opts.netnsPrefix).catch((err: Error) =>
        say(`cannot remove namespaces: ${err.message}`),
      );
      releaseBenchLock();
    })());
  const run: BenchmarkRun = {
    say,
    claimMachine: async () => {
      if (process.getuid?.() !== 0) throw new Error('needs root: it creates network namespaces and links');
      const leftOver = claimBenchLock(opts.netnsPrefix);
      lockHeld = true;
      const namespaces = await removeNamespaces(opts.netnsPrefix);
      if (namespaces.length > 0) leftOver.push(`${namespaces.length} namespaces ${opts.netnsPrefix}*`);
      if (leftOver.length > 0) say(`removed what an earlier run left: ${leftOver.join(', ')}`);
    },
    defer: (what, cleanup) => void deferred.push({ what, cleanup }),
    cleanUp,
  };

  /** Set by a signal: the failures that cleaning up causes in the running phase are not news. */
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      interrupted = true;
      say(`\n${signal}: cleaning up`);
      void cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
  const watchdog = setTimeout(() => {
    say(`the benchmark took over ${opts.watchdogMs / 60_000} minutes: giving up`);
    void cleanUp().finally(() => process.exit(1));
  }, opts.watchdogMs);
  watchdog.unref();
  opts.main(run).then(
    () => process.exit(0),
    async (err: unknown) => {
      if (interrupted) return; // the signal's handler exits
      say(`benchmark failed: ${err instanceof Error ? err.message : String(err)}`);
      await cleanUp();
      process.exit(1);
    },
  );
}
