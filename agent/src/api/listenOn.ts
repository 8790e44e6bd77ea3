import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { ServerCredentials } from '@grpc/grpc-js';
import type { Server } from 'nice-grpc';
import type { Logger } from 'pino';
import { grpcAddress, type ListenAddress } from './listenAddress';

/** How to bind: TLS or plaintext, and the unix socket's group (--group), whose members may connect. */
export interface ListenOptions {
  credentials?: ServerCredentials;
  socketGroupId?: number;
}

/**
 * Binds the server to a unix socket or a TCP address and returns the address clients dial (with the
 * port the kernel picked for port 0). A unix socket is 0660: root and its group may connect.
 */
export async function listenOn(
  server: Server,
  listen: ListenAddress,
  logger: Logger,
  options: ListenOptions = {},
): Promise<string> {
  if (listen.kind === 'unix') {
    fs.mkdirSync(path.dirname(listen.path), { recursive: true, mode: 0o755 });
    // A socket file left by a crashed agent would make bind fail with EADDRINUSE; one that still
    // answers belongs to a live server, which must not be unplugged.
    if (await socketAnswers(listen.path))
      throw new Error(`--listen unix://${listen.path}: another server is listening there`);
    fs.rmSync(listen.path, { force: true });
    await server.listen(grpcAddress(listen), options.credentials);
    fs.chmodSync(listen.path, 0o660);
    if (options.socketGroupId !== undefined) fs.chownSync(listen.path, -1, options.socketGroupId);
    return grpcAddress(listen);
  }
  const port = await server.listen(grpcAddress(listen), options.credentials);
  logger.debug({ port }, 'bound');
  return grpcAddress({ ...listen, port });
}

function socketAnswers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/** Graceful shutdown with a deadline: the calls under way finish, unless one hangs. */
export async function shutdownWithin(server: Server, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
  });
  await Promise.race([server.shutdown(), deadline]);
  clearTimeout(timer);
}
