/**
 * Runs a benchmark's main function as a process should: Ctrl-C or SIGTERM cleans up and exits, a
 * watchdog gives up after `watchdogMs` (a benchmark always ends by itself), a failure cleans up too.
 */
export function runBenchmark(opts: {
  main: () => Promise<void>;
  cleanUp: () => Promise<void>;
  say: (text: string) => void;
  watchdogMs: number;
}): void {
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      interrupted = true;
      opts.say(`\n${signal}: cleaning up`);
      void opts.cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
  const watchdog = setTimeout(() => {
    opts.say(`the benchmark took over ${opts.watchdogMs / 60_000} minutes: giving up`);
    void opts.cleanUp().finally(() => process.exit(1));
  }, opts.watchdogMs);
  watchdog.unref();
  opts.main().then(
    () => process.exit(0),
    async (err: unknown) => {
      if (interrupted) return; // the signal's handler exits
      opts.say(`benchmark failed: ${err instanceof Error ? err.message : String(err)}`);
      await opts.cleanUp();
      process.exit(1);
    },
  );
}
