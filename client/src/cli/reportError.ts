import { CommanderError } from 'commander';
import { Status } from 'nice-grpc';
import { MvnetError } from '../errors';
import { CliUsageError } from './CliUsageError';

/** Exit status of a refused command line (commander's usage errors and our own). */
export const USAGE_EXIT_CODE = 2;

/**
 * One error as a line for people, Docker style: `Error: <the agent's message> (<gRPC code>)`. An agent
 * that cannot be reached gets a hint naming the address tried, which is most often the mistake.
 */
export function describeError(err: unknown): string {
  if (err instanceof MvnetError) {
    if (err.code !== Status.UNAVAILABLE) return `Error: ${err.details} (${err.codeName})`;
    // grpc-js ends its connection errors with an empty "Resolution note: ".
    const details = err.details.replace(/\.? Resolution note: *$/, '');
    return `Error: ${details} (${err.codeName}): is mvnet-agent running and listening on ${err.host}?`;
  }
  return `Error: ${err instanceof Error ? err.message : String(err)}`;
}

/** True for an agent that could not be reached: a command on several objects stops at the first. */
export function isAgentUnreachable(err: unknown): boolean {
  return err instanceof MvnetError && err.code === Status.UNAVAILABLE;
}

/** How a per-object failure reads: Docker's `No such network` for NOT_FOUND, else describeError. */
export function describeNetworkError(err: unknown, name: string): string {
  if (err instanceof MvnetError && err.code === Status.NOT_FOUND) return `Error: No such network: ${name}`;
  return describeError(err);
}

/**
 * Reports an error that ended the command and returns the exit status: 0 for --help and --version
 * (which commander ends by throwing), 2 for usage errors (commander has printed its own message),
 * 1 for everything else.
 */
export function reportError(err: unknown, stderr: (text: string) => void): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
  stderr(`${describeError(err)}\n`);
  return err instanceof CliUsageError ? USAGE_EXIT_CODE : 1;
}
