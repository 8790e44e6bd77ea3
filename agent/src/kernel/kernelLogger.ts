/** The logger methods the kernel drivers use; a pino logger fits. */
export interface KernelLogger {
  info(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}
