/**
 * A command line the CLI refuses before calling any agent (a bad flag value, a driver other than
 * macvlan): reported as `Error: <message>` with exit status 2, like commander's own usage errors.
 */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}
