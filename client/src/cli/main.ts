#!/usr/bin/env node
import { runCli } from './runCli';

export { runCli, type CliIo } from './runCli';

/**
 * A signal that the first Ctrl-C aborts. The SIGINT handler is installed when a command first asks for
 * the signal, so that only the commands that stop cleanly on it (`watch`, `fleet apply`, `fleet watch`)
 * catch Ctrl-C; the others keep Node's default (the process ends at once). A second Ctrl-C always ends
 * the process.
 */
function interruptSignal(): () => AbortSignal {
  let controller: AbortController | undefined;
  return () => {
    if (!controller) {
      const interrupt = (controller = new AbortController());
      process.once('SIGINT', () => interrupt.abort());
    }
    return controller.signal;
  };
}

/**
 * Drops Node's DEP0123 warning ("Setting the TLS ServerName to an IP address..."), which grpc-js
 * triggers on every TLS connection to an IP address (grpc/grpc-node#1919): it would follow every
 * `mvnet --host 10.0.0.5:7443 --tlsverify ...` and is nothing the user can act on. Other warnings stay.
 */
function silenceIpServerNameWarning(): void {
  const emitWarning = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const code = typeof rest[0] === 'object' ? (rest[0] as { code?: string }).code : rest[1];
    if (code === 'DEP0123') return;
    (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
}

/** `mvnet`: runs the command line against the process's streams and environment, and exits with its status. */
async function main(): Promise<void> {
  silenceIpServerNameWarning();
  const signal = interruptSignal();
  const code = await runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    // Only `apply -f -` reads it: other commands never open the stream.
    get stdin() {
      return process.stdin;
    },
    terminal: process.stderr.isTTY ? process.stderr : undefined,
    get signal() {
      return signal();
    },
  });
  process.exit(code);
}

if (require.main === module) void main();
