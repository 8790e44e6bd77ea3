import fs from 'node:fs/promises';
import { describeFileError } from '../../../common/describeFileError';

/**
 * The largest spec file read: 4 MiB. An agent takes at most 1 MiB of request, and a spec in YAML is
 * about twice its wire size at most, so a larger file cannot be a host's spec; the bound keeps a
 * wrong file (a log, a disk image, /dev/zero) from being read whole.
 */
export const MAX_SPEC_FILE_BYTES = 4 * 1024 * 1024;

/** A file is read this much at a time: a small spec costs no buffer of the bound's size. */
const READ_CHUNK_BYTES = 1024 * 1024;

/** Standard input as the CLI hands it over: process.stdin, or chunks in tests. */
export type SpecInput = AsyncIterable<Uint8Array | string>;

/** A spec file's text, and how messages name it. */
export interface SpecSource {
  text: string;
  source: string;
}

/** What a file read is, for its bound's message, and the bound. */
export interface SourceBound {
  maxBytes: number;
  /** `a spec file`, `a pod list`. */
  what: string;
}

const SPEC_FILE: SourceBound = { maxBytes: MAX_SPEC_FILE_BYTES, what: 'a spec file' };

/**
 * Reads a spec: the file `file`, or standard input for `-`. At most `bound.maxBytes` are read (a
 * larger one is refused without reading it all); the text must be UTF-8 (a BOM is dropped). Throws
 * an Error naming the file and what is wrong.
 */
export async function readSpecSource(
  file: string,
  stdin: SpecInput | undefined,
  bound: SourceBound = SPEC_FILE,
): Promise<SpecSource> {
  const source = file === '-' ? '<stdin>' : file;
  const bytes = file === '-' ? await readStdin(stdin, bound.maxBytes) : await readFile(file, bound.maxBytes);
  if (bytes.length > bound.maxBytes)
    throw new Error(
      `${source}: larger than ${bound.maxBytes / 1024 / 1024} MiB: ${bound.what} is at most ${bound.maxBytes} bytes`,
    );
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), source };
  } catch {
    throw new Error(`${source}: not UTF-8 text`);
  }
}

/** The file's first maxBytes + 1 bytes at most (enough to tell that it is too large), read in chunks. */
async function readFile(file: string, maxBytes: number): Promise<Buffer> {
  let handle;
  try {
    handle = await fs.open(file, 'r');
    const chunks: Buffer[] = [];
    let length = 0;
    while (length <= maxBytes) {
      const chunk = Buffer.alloc(Math.min(READ_CHUNK_BYTES, maxBytes + 1 - length));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
    }
    return Buffer.concat(chunks, length);
  } catch (err) {
    throw new Error(`${file}: ${describeFileError(err)}`);
  } finally {
    await handle?.close();
  }
}

/** Standard input up to maxBytes + 1 bytes. */
async function readStdin(stdin: SpecInput | undefined, maxBytes: number): Promise<Buffer> {
  if (!stdin) throw new Error('-f -: no standard input to read the spec from');
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stdin) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    chunks.push(bytes);
    length += bytes.length;
    if (length > maxBytes) break;
  }
  return Buffer.concat(chunks, length);
}
