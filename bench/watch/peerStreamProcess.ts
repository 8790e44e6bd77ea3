#!/usr/bin/env node
/**
 * The fan-out part's peer, forked by the Watch benchmark (PeerStreamServer.ts): a raw @grpc/grpc-js
 * server (no nice-grpc, no agent, no protobuf code) in a process of its own, as the agent is. It serves
 * `/mvnet.v1.AgentService/Watch` with identity serializers: every stream it takes gets the SYNCED
 * bytes it was given, then, on each `emit`, the same bytes written to every open stream in one loop
 * (the least a server can do to fan a message out). It reports the loop's start and end on
 * CLOCK_MONOTONIC (process.hrtime.bigint(), shared by every process). It exits when told, or when
 * the benchmark's IPC channel closes. Its transport bounds are the agent's.
 */
import { Server, ServerCredentials, type ServerWritableStream } from '@grpc/grpc-js';
import type { PeerCommand, PeerReport } from './peerStreamProtocol';

const identity = (b: Buffer) => b;
const calls = new Set<ServerWritableStream<Buffer, Buffer>>();
let synced: Buffer | undefined;
/** The agent's transport bounds (README, "Bounds"): 4 MiB a message, 128 streams a connection. */
const server = new Server({
  'grpc.max_receive_message_length': 4 * 1024 * 1024,
  'grpc.max_send_message_length': 4 * 1024 * 1024,
  'grpc.max_concurrent_streams': 128,
});

function report(message: PeerReport): void {
  process.send?.(message);
}

server.addService(
  {
    Watch: {
      path: '/mvnet.v1.AgentService/Watch',
      requestStream: false,
      responseStream: true,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  },
  {
    Watch: (call: ServerWritableStream<Buffer, Buffer>) => {
      calls.add(call);
      const forget = () => calls.delete(call);
      call.on('cancelled', forget);
      call.on('error', forget);
      call.on('close', forget);
      if (synced) call.write(synced);
    },
  },
);

function exit(): void {
  server.forceShutdown();
  process.exit(0);
}

process.on('message', (m: PeerCommand) => {
  if (m.type === 'exit') return exit();
  if (m.type === 'synced') {
    synced = Buffer.from(m.bytes);
    return;
  }
  const message = Buffer.from(m.bytes);
  const startNs = process.hrtime.bigint();
  for (const call of calls) call.write(message);
  const endNs = process.hrtime.bigint();
  report({ type: 'emitted', id: m.id, startNs, endNs, streams: calls.size });
});
process.on('disconnect', exit);
process.on('SIGINT', () => undefined);

server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, port) => {
  if (err) report({ type: 'failed', message: err.message });
  else report({ type: 'ready', address: `127.0.0.1:${port}` });
});
