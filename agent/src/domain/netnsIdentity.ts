import type { NetnsInstance, NetnsRef } from './model';

/**
 * A parsed netns ref as one canonical text (`name:c1`, `pid:42`, `path:/x`): equal texts, the same
 * namespace. The state indexes endpoints by it, to find a container's attachments.
 */
export function netnsIdentity(ref: NetnsRef): string {
  if ('name' in ref) return `name:${ref.name}`;
  if ('pid' in ref) return `pid:${ref.pid}`;
  return `path:${ref.path}`;
}

/** How messages and logs name a netns ref: `c1`, `pid:42`, `/x`. */
export function describeNetnsRef(ref: NetnsRef): string {
  if ('pid' in ref) return `pid:${ref.pid}`;
  return 'path' in ref ? ref.path : ref.name;
}

/** Whether two looks saw the same namespace: by cookie when both have one, else by device and inode. */
export function sameNetns(a: NetnsInstance, b: NetnsInstance): boolean {
  if (a.cookie !== undefined && b.cookie !== undefined) return a.cookie === b.cookie;
  return a.dev === b.dev && a.ino === b.ino;
}
