/**
 * What the Watch benchmark and its peer server (peerStreamProcess.ts) say to each other over the IPC
 * channel of `fork`, with Node's `advanced` serialization (bigints and byte arrays pass as they are).
 */

/** Benchmark → peer: the bytes each new stream gets first; a message to write to every stream; exit. */
export type PeerCommand =
  { type: 'synced'; bytes: Uint8Array } | { type: 'emit'; id: number; bytes: Uint8Array } | { type: 'exit' };

/** Peer → benchmark. */
export type PeerReport =
  | { type: 'ready'; address: string }
  | { type: 'failed'; message: string }
  /** CLOCK_MONOTONIC ns just before the first write of the loop and just after its last. */
  | { type: 'emitted'; id: number; startNs: bigint; endNs: bigint; streams: number };
