import fs from 'node:fs';
import type { NetnsRef } from '../../domain/model';
import { openNetnsFile, resolveNetns } from '../resolveNetns';
import { RtnlSocket } from './RtnlSocket';

/**
 * Runs `use` with a netlink socket in the container's netns (entered for the socket's making only),
 * closing both afterwards; gives `missing` when the netns does not exist. Holding the netns file open
 * keeps the namespace alive meanwhile: it cannot vanish half-way.
 */
export async function inNetns<T>(
  ref: NetnsRef,
  missing: T,
  use: (socket: RtnlSocket) => T | Promise<T>,
): Promise<T> {
  const fd = openNetnsFile(resolveNetns(ref));
  if (fd === undefined) return missing;
  let socket: RtnlSocket | undefined;
  try {
    socket = RtnlSocket.openInFd(fd);
    return await use(socket);
  } finally {
    socket?.close();
    fs.closeSync(fd);
  }
}
