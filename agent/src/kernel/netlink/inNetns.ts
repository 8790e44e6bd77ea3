import fs from 'node:fs';
import type { NetnsInstance, NetnsRef } from '../../domain/model';
import type { NetnsOpener } from '../NetnsOpener';
import { RtnlSocket } from './RtnlSocket';

/**
 * Runs `use` with a netlink socket in the container's netns (entered for the socket's making only), and
 * which namespace it is, closing both afterwards; gives `missing` when the netns does not exist.
 * Holding the netns open keeps the namespace alive meanwhile: it cannot vanish half-way.
 */
export async function inNetns<T>(
  namespaces: NetnsOpener,
  ref: NetnsRef,
  missing: T,
  use: (socket: RtnlSocket, instance: NetnsInstance) => T | Promise<T>,
): Promise<T> {
  const opened = namespaces.open(ref);
  if (opened === undefined) return missing;
  const { fd, instance } = opened;
  let socket: RtnlSocket | undefined;
  try {
    socket = RtnlSocket.openInFd(fd);
    return await use(socket, instance);
  } finally {
    socket?.close();
    fs.closeSync(fd);
  }
}
