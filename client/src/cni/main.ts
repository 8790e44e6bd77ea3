#!/usr/bin/env node
/**
 * mvnet-cni: the CNI plugin (spec 1.1.0) that attaches containers to mvnet networks through the local
 * mvnet-agent. A runtime executes it once per operation: CNI_* variables, the network config on
 * standard input, the result or an error object on standard output. Kept small at start-up: it loads
 * node:http2 and the generated Endpoint and Network messages, not the SDK (see agentUnary.ts).
 */
import fs from 'node:fs';
import { cniAdd, cniCheck, cniDel, cniGc, cniStatus } from './cniCommands';
import { CniCode, CniError } from './cniError';
import { readCniRequest, readCommand, SUPPORTED_VERSIONS } from './cniRequest';

/** Standard input, read at once, one byte past the config's bound so that readCniRequest can refuse it. */
function readStdin(): string {
  const chunks: Buffer[] = [];
  const buffer = Buffer.alloc(64 * 1024);
  let total = 0;
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(0, buffer, 0, buffer.length, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      if ((err as NodeJS.ErrnoException).code === 'EOF') break;
      throw err;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, n)));
    total += n;
    if (total > 1024 * 1024) break;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The version the error object speaks: the config's, once it is known to be one this plugin speaks. */
let errorVersion = '1.1.0';

async function run(): Promise<Record<string, unknown> | undefined> {
  const stdin = readStdin();
  if (readCommand(process.env) === 'VERSION') {
    let cniVersion = '1.1.0';
    try {
      const asked = (JSON.parse(stdin) as { cniVersion?: unknown }).cniVersion;
      if (typeof asked === 'string' && (SUPPORTED_VERSIONS as readonly string[]).includes(asked))
        cniVersion = asked;
    } catch {
      // VERSION may come without a config.
    }
    return { cniVersion, supportedVersions: [...SUPPORTED_VERSIONS] };
  }
  const request = readCniRequest(process.env, stdin);
  errorVersion = request.config.cniVersion;
  switch (request.command) {
    case 'ADD':
      return cniAdd(request);
    case 'DEL':
      return cniDel(request).then(() => undefined);
    case 'CHECK':
      return cniCheck(request).then(() => undefined);
    case 'STATUS':
      return cniStatus(request).then(() => undefined);
    default:
      return cniGc(request).then(() => undefined);
  }
}

run().then(
  (result) => {
    if (result) process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (err: unknown) => {
    const error = err instanceof CniError ? err : new CniError(CniCode.IO_FAILURE, (err as Error).message);
    const object: Record<string, unknown> = {
      cniVersion: errorVersion,
      code: error.code,
      msg: error.message,
    };
    if (error.details) object.details = error.details;
    process.stdout.write(`${JSON.stringify(object)}\n`);
    process.exit(1);
  },
);
