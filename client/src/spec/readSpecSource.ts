import fs from 'node:fs/promises';
import { describeFileError } from '../../../common/describeFileError';

/**
 * The largest spec file read: 4 MiB. An agent takes at most 1 MiB of request, and a spec in YAML is
 * about twice its wire size at most, so a larger file cannot be a host's spec; the bound keeps a
 * wrong file (a log, a disk image, /dev/zero) from being read whole.
 */
export const MAX_SPEC_FILE_BYTES = 4 * 1024 * 1024;

/** Standard input as the CLI hands it over: process.stdin, or chunks in tests. */
export type SpecInput = AsyncIterable<Uint8Array | string>;

/** A spec file's text, and how messages name it. */
export interface SpecSource {
  text: string;
  source: string;
}

/**
 * Reads a spec: the file `file`, or standard input for `-`. At most MAX_SPEC_FILE_BYTES are read (a
 * larger one is refused without reading it all); the text must be UTF-8 (a BOM is dropped). Throws
 * an Error naming the file and what is wrong.
 */
export async function readSpecSource(file: string, stdin: SpecInput | undefined): Promise<SpecSource> {
  const source = file === '-' ? '<stdin>' : file;
  const bytes = file === '-' ? await readStdin(stdin) : await readFile(file);
  if (bytes.length > MAX_SPEC_FILE_BYTES)
    throw new Error(`${source}: larger than 4 MiB: a spec file is at most ${MAX_SPEC_FILE_BYTES} bytes`);
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), source };
  } catch {
    throw new Error(`${source}: not UTF-8 text`);
  }
}

/** The file's first MAX_SPEC_FILE_BYTES + 1 bytes: enough to tell that it is too large. */
async function readFile(file: string): Promise<Buffer> {
  let handle;
  try {
    handle = await fs.open(file, 'r');
    const buffer = Buffer.alloc(MAX_SPEC_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length);
      length += bytesRead;
      if (bytesRead === 0 || length === buffer.length) return buffer.subarray(0, length);
    }
  } catch (err) {
    throw new Error(`${file}: ${describeFileError(err)}`);
  } finally {
    await handle?.close();
  }
}

/** Standard input up to MAX_SPEC_FILE_BYTES + 1 bytes. */
async function readStdin(stdin: SpecInput | undefined): Promise<Buffer> {
  if (!stdin) throw new Error('-f -: no standard input to read the spec from');
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stdin) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    chunks.push(bytes);
    length += bytes.length;
    if (length > MAX_SPEC_FILE_BYTES) break;
  }
  return Buffer.concat(chunks, length);
}
