import fs from 'node:fs';
import { describeFileError } from '../../../common/describeFileError';

/**
 * Reads a file the agent is configured with (a certificate or key, the token file, the authorization
 * file) before it serves, and again at a reload. A file that is not a regular file is refused without
 * reading it (a FIFO would hold the agent forever), and so is one larger than `maxBytes`. Errors name
 * the flag and the path, never the content (a token file holds secrets).
 */
export function readBoundedFile(flag: string, file: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (err) {
    throw new Error(`${flag} ${file}: ${describeFileError(err)}`);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${flag} ${file}: not a regular file`);
    if (stat.size > maxBytes)
      throw new Error(`${flag} ${file}: larger than ${maxBytes} bytes (${stat.size}): is it the right file?`);
    // The size was checked, but the file may grow while it is read: read at most maxBytes + 1.
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const n = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > maxBytes) throw new Error(`${flag} ${file}: larger than ${maxBytes} bytes`);
    }
    return buffer.subarray(0, length);
  } finally {
    fs.closeSync(fd);
  }
}
