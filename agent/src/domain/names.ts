import { checkText, quoteText } from './clientText';
import { InvalidSpecError } from './errors';

const OBJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Checks a network or endpoint name: Docker's rule, bounded to 64 characters. */
export function checkObjectName(field: string, name: string): void {
  if (name === '') throw new InvalidSpecError(field, 'a name is required');
  if (!OBJECT_NAME.test(name)) {
    throw new InvalidSpecError(
      field,
      `invalid name ${quoteText(name)}: use 1-64 characters of A-Z a-z 0-9 _ . -, starting with a letter or digit`,
    );
  }
}

/**
 * Checks an interface name by the kernel's rule (dev_valid_name): 1-15 bytes, no "/", ":" or
 * whitespace; and printable, as every client's text.
 */
export function checkInterfaceName(field: string, name: string): void {
  if (name === '' || name === '.' || name === '..') {
    throw new InvalidSpecError(field, `invalid interface name ${quoteText(name)}`);
  }
  if (Buffer.byteLength(name) > 15) {
    throw new InvalidSpecError(field, `interface name ${quoteText(name)} is longer than 15 bytes`);
  }
  checkText(field, name);
  if (/[/:\s]/.test(name)) {
    throw new InvalidSpecError(field, `interface name ${quoteText(name)} may not contain "/", ":" or spaces`);
  }
}
