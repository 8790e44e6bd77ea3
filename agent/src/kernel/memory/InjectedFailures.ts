import type { LinkDriver } from '../../domain/ports/LinkDriver';
import { refuse } from './kernelRefusals';

/** A method of the driver that a test may make fail. */
export type DriverMethod = Exclude<keyof LinkDriver, 'close'>;

/** The failures a test asked the in-memory kernel for: the next call of a method fails, once. */
export class InjectedFailures {
  private readonly failures = new Map<DriverMethod, string>();

  /** The next call of `method` fails as iproute2 would with this stderr line. */
  failNext(method: DriverMethod, stderr: string): void {
    this.failures.set(method, stderr);
  }

  /** Throws the failure asked for `method`, once, as the KernelError of `action`. */
  check(method: DriverMethod, action: string): void {
    const stderr = this.failures.get(method);
    if (stderr === undefined) return;
    this.failures.delete(method);
    throw refuse(action, stderr);
  }
}
