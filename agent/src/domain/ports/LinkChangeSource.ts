/**
 * The port through which the application hears of kernel changes it did not make (DriftService):
 * kernel/ implements it with rtnetlink multicast on a real kernel (RtnlLinkMonitor) and in memory
 * (MemoryLinkChanges); one contract suite holds both to the same behaviour.
 */
import type { NetnsRef } from '../model';

/** One change the kernel reported: a link or an address, in the host netns or in another one. */
export interface LinkChange {
  /** "current": the host netns; a number: the nsid of another netns, as the host netns knows it. */
  nsid: 'current' | number;
  what: 'link' | 'address';
  deleted: boolean;
  ifname: string;
  /**
   * The kernel's account of the link or address, its state and not its counters: equal accounts, equal
   * states.
   */
  detail: string;
}

/** Where the application hears about kernel changes. */
export interface LinkChangeSource {
  /**
   * Calls `onChange` for every change, and `onGap` when changes may have been missed (notifications
   * lost or unreadable, a reader started again): the application then re-reads the kernel.
   */
  start(onChange: (change: LinkChange) => void, onGap: () => void): void;
  /**
   * Asks the kernel to report a container netns's changes too (it needs an nsid in the host netns), and
   * returns that nsid; undefined when the netns is gone. Does nothing on its caller's turn.
   */
  follow(netns: NetnsRef): Promise<number | undefined>;
  close(): void;
}
