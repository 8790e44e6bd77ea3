#!/usr/bin/env node
/**
 * The transport's floor, for the attach benchmark: a bare @grpc/grpc-js server (no nice-grpc, no
 * middleware, no agent) in a process of its own, as the agent is, answering one unary method with an
 * empty message. It prints `PORT <n>` once it listens on loopback, and serves until killed.
 */
import * as grpc from '@grpc/grpc-js';

/** The one method: bytes in, no bytes out (an empty protobuf message). */
export const EMPTY_METHOD = '/bench.Floor/Empty';

const identity = (b: Buffer) => b;

function main(): void {
  const server = new grpc.Server();
  server.addService(
    {
      Empty: {
        path: EMPTY_METHOD,
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    },
    { Empty: (_call: unknown, callback: grpc.sendUnaryData<Buffer>) => callback(null, Buffer.alloc(0)) },
  );
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) throw err;
    process.stdout.write(`PORT ${port}\n`);
  });
}

if (require.main === module) main();
