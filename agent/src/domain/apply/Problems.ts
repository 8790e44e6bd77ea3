/**
 * What planning an Apply finds wrong, gathered so that the caller hears of every problem at once, then
 * thrown as one error: malformed fields first (INVALID_ARGUMENT, each with its path), else what the host
 * does not allow (FAILED_PRECONDITION), else what it has no room for (RESOURCE_EXHAUSTED).
 */
import {
  ExhaustedError,
  InvalidSpecError,
  PreconditionError,
  SpecViolationsError,
  type FieldViolation,
} from '../errors';

/** More than this many problems are summed up, not listed. */
const MAX_LISTED = 5;

export class Problems {
  private readonly invalid: FieldViolation[] = [];
  private readonly preconditions: string[] = [];
  private readonly exhausted: string[] = [];

  /** Runs `check`, recording a domain error it throws under `at` (the object's path); returns its value. */
  collect<T>(at: string, check: () => T): T | undefined {
    try {
      return check();
    } catch (err) {
      this.record(at, err);
      return undefined;
    }
  }

  /** Records a domain error found for the object at `at`; anything else is rethrown. */
  record(at: string, err: unknown): void {
    if (err instanceof InvalidSpecError) {
      this.invalid.push({
        field: `${at}.${err.field.replace(/^(network|endpoint)\./, '')}`,
        description: err.problem,
      });
    } else if (err instanceof ExhaustedError) {
      this.exhausted.push(`${at}: ${err.message}`);
    } else if (err instanceof PreconditionError) {
      this.preconditions.push(`${at}: ${err.message}`);
    } else {
      throw err;
    }
  }

  precondition(message: string): void {
    this.preconditions.push(message);
  }

  /** Throws what was found, if anything. */
  throwIfAny(): void {
    if (this.invalid.length > 0) throw new SpecViolationsError(this.invalid);
    if (this.preconditions.length > 0) throw new PreconditionError(summary(this.preconditions));
    if (this.exhausted.length > 0) throw new ExhaustedError(summary(this.exhausted));
  }
}

function summary(messages: string[]): string {
  const shown = messages.slice(0, MAX_LISTED).join('; ');
  return messages.length > MAX_LISTED ? `${shown}; and ${messages.length - MAX_LISTED} more` : shown;
}
