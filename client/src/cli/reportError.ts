import { CommanderError } from 'commander';
import { Status } from 'nice-grpc';
import { MvnetError } from '../errors';
import { escapeUnprintable } from '../../../common/quoteText';
import { CliUsageError } from './CliUsageError';

/** Exit status of a refused command line (commander's usage errors and our own). */
export const USAGE_EXIT_CODE = 2;

/** What a failed TLS handshake says through grpc-js (OpenSSL's and Node's words). */
const TLS_FAILURE = /certificate|\bSSL|\bTLS|handshake|alert|self.signed|altnames/i;

const CREDENTIALS_HINT =
  'present a client certificate (--tlsverify --tlscert --tlskey, or cert.pem and key.pem in $MVNET_CERT_PATH) or a token (--token, $MVNET_TOKEN)';

/**
 * One error as a line for people, Docker style: `Error: <the agent's message> (<gRPC code>)`, with a
 * hint where the usual mistake is on this side: an agent that cannot be reached (the address tried),
 * a failed TLS handshake (the certificates), missing or refused credentials (how to give them).
 * A refusal that names the fields it found wrong (google.rpc.BadRequest) is those fields instead: one
 * as the line itself, several one per line under a header (kubectl's habit); the agent's message only
 * summarizes them.
 */
export function describeError(err: unknown): string {
  const violations = err instanceof MvnetError ? err.fieldViolations : [];
  if (err instanceof MvnetError && violations.length === 1) {
    const [{ field, description }] = violations;
    return `Error: ${escapeUnprintable(field)}: ${escapeUnprintable(description)} (${err.codeName})`;
  }
  if (err instanceof MvnetError && violations.length > 1) return describeFieldViolations(err);
  if (err instanceof MvnetError) {
    if (err.code === Status.UNAUTHENTICATED)
      return `Error: ${err.details} (${err.codeName}): ${CREDENTIALS_HINT}`;
    if (err.code !== Status.UNAVAILABLE) return `Error: ${err.details} (${err.codeName})`;
    // grpc-js ends its connection errors with an empty "Resolution note: "; OpenSSL's have newlines.
    const details = err.details.replace(/\s+/g, ' ').replace(/\s*\.?\s*Resolution note: *$/, '');
    // OpenSSL reading a plaintext HTTP/2 answer as a TLS record; grpc-js's words for a connection the
    // server ended in the handshake (a plaintext client at a TLS agent, a client certificate refused).
    if (/wrong version number/.test(details))
      return `Error: ${details} (${err.codeName}): the agent at ${err.host} does not serve TLS: drop --tls and --tlsverify`;
    if (/Failed to connect/.test(details))
      return `Error: ${details} (${err.codeName}): ${err.host} ended the connection: if the agent serves TLS, add --tlsverify; if it requires a client certificate, give one signed by its CA with the right key usage (--tlscert, --tlskey)`;
    if (TLS_FAILURE.test(details))
      return `Error: ${details} (${err.codeName}): the TLS handshake with ${err.host} failed: check --tlscacert (the CA of the agent's certificate, which must name ${err.host}), and the client certificate (--tlscert, --tlskey) that an agent with --tlsverify requires`;
    return `Error: ${details} (${err.codeName}): is mvnet-agent running and listening on ${err.host}?`;
  }
  return `Error: ${err instanceof Error ? err.message : String(err)}`;
}

/**
 * `Error: the agent found 2 problems (INVALID_ARGUMENT):`, then `  <path>: <why>` for each (one per
 * violation: a field may have several), escaped so that each stays on its line.
 */
function describeFieldViolations(err: MvnetError): string {
  const count = err.fieldViolations.length;
  const lines = err.fieldViolations.map(
    ({ field, description }) => `  ${escapeUnprintable(field)}: ${escapeUnprintable(description)}`,
  );
  return [`Error: the agent found ${count} problems (${err.codeName}):`, ...lines].join('\n');
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
