/**
 * What the Watch benchmark and its client processes (watchClientProcess.ts) say to each other over the
 * IPC channel of `fork`, with Node's `advanced` serialization (structured clone: bigints and typed
 * arrays pass as they are). A client process holds fleets of watchers, each fleet on one server (the
 * agent, or the raw grpc-js peer), and reports each live event once every watcher of the fleet it holds
 * has received it.
 */

/** Benchmark → client process. */
export type ClientCommand =
  | {
      type: 'open';
      fleet: string;
      /** The server's `127.0.0.1:PORT`. */
      address: string;
      /** Watchers of this fleet in this process. */
      count: number;
      /** Watch streams per channel (each channel a TCP connection of its own). */
      perChannel: number;
    }
  | { type: 'close'; fleet: string }
  | { type: 'exit' };

/** One live event (not SYNCED, not BOOKMARK), as every watcher of a fleet in one process received it. */
export interface ReceivedEvent {
  revision: number;
  /** Its place among the events of its revision, from 0. */
  sequence: number;
  /** EventType's number. */
  eventType: number;
  kind: 'network' | 'endpoint' | 'host' | '';
  name: string;
  message: string;
  /** The event's `time`, in ms since the epoch (the agent stamps it inside the commit). */
  stampMs: number;
  /** The event's size encoded as protobuf: what the server wrote, without gRPC's 5-byte frame header. */
  bytes: number;
  /** process.hrtime.bigint() (CLOCK_MONOTONIC, shared by every process) at each watcher's receipt. */
  arrivals: BigInt64Array;
}

/** Client process → benchmark. */
export type ClientReport =
  | { type: 'opened'; fleet: string }
  | { type: 'received'; fleet: string; event: ReceivedEvent }
  | { type: 'failed'; fleet: string; message: string }
  | { type: 'closed'; fleet: string };
