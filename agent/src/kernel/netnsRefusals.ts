/**
 * What both kernels answer when a container's netns ref leads somewhere the agent does not go, in the
 * same words (the contract suite holds them to it): FAILED_PRECONDITION, nothing done.
 */
import { NetnsReplacedError, PreconditionError } from '../domain/errors';
import type { NetnsRef } from '../domain/model';
import { describeNetnsRef } from '../domain/netnsIdentity';

/** The file a ref leads to is no network namespace: a FIFO, a device, a regular file, a symlink... */
export function notANetns(ref: NetnsRef): PreconditionError {
  return new PreconditionError(`netns ${describeNetnsRef(ref)} is not a network namespace`);
}

/** The ref leads to the host's own namespace (the agent's, the one it manages, init's). */
export function hostsOwnNetns(ref: NetnsRef): PreconditionError {
  return new PreconditionError(
    `netns ${describeNetnsRef(ref)} is the host's own network namespace: the agent attaches containers, never the host`,
  );
}

/** The file may not be opened, even by root (a process of another user namespace, a sandbox's init). */
export function unreachableNetns(ref: NetnsRef): PreconditionError {
  return new PreconditionError(
    `netns ${describeNetnsRef(ref)} may not be opened by the agent: permission denied`,
  );
}

/** A path an earlier agent stored: never opened. */
export function unopenedPath(ref: { path: string }): PreconditionError {
  return new PreconditionError(
    `netns ${JSON.stringify(ref.path)} is a path this agent does not open: delete the endpoint and attach its container by name or pid`,
  );
}

/** The ref now leads to another namespace than the one an attach must go into. */
export function replacedNetns(ref: NetnsRef): NetnsReplacedError {
  return new NetnsReplacedError(
    `netns ${describeNetnsRef(ref)} is now another namespace than the endpoint's: not attached there`,
  );
}
