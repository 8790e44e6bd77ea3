import fs from 'node:fs';
import os from 'node:os';

/** This boot's id: it changes at every boot, so a new one tells the agent that the host rebooted. */
export function readBootId(): string {
  return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
}

/** The running kernel's release, as `uname -r`. */
export function kernelRelease(): string {
  return os.release();
}

export function hostname(): string {
  return os.hostname();
}
