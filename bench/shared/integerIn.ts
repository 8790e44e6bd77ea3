import { InvalidArgumentError } from 'commander';

/** A commander option parser: a whole number from `min` to `max`, or the option is refused. */
export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${min}..${max}`);
    return n;
  };
}
