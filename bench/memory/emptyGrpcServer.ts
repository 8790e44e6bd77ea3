#!/usr/bin/env node
/**
 * The memory benchmark's peer: an empty @grpc/grpc-js server (no service) on 127.0.0.1, the least a
 * gRPC daemon on Node holds. It prints `listening <port>` once bound, and runs until it is killed.
 */
import { Server, ServerCredentials } from '@grpc/grpc-js';

const server = new Server();
server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    process.stderr.write(`cannot bind: ${err.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`listening ${port}\n`);
});
