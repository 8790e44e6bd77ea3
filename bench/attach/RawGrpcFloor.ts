/**
 * The floor under any RPC's time: an empty unary call from a bare @grpc/grpc-js client to the bare
 * server of rawGrpcServer.ts, in a process of its own (started once, not timed; ended by process group).
 */
import * as grpc from '@grpc/grpc-js';
import path from 'node:path';
import { startNodeProcess, type NodeProcess } from '../shared/startNodeProcess';
import { EMPTY_METHOD } from './rawGrpcServer';

const identity = (b: Buffer) => b;

export class RawGrpcFloor {
  private constructor(
    private readonly server: NodeProcess,
    private readonly client: grpc.Client,
  ) {}

  static async start(): Promise<RawGrpcFloor> {
    const server = await startNodeProcess([path.join(__dirname, 'rawGrpcServer.js')], /^PORT \d+$/);
    const port = Number(server.readyLine!.slice('PORT '.length));
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const floor = new RawGrpcFloor(server, client);
    await floor.call(); // connected before the first timed call, as the SDK's channel is
    return floor;
  }

  /** One empty call; its time in ms. */
  async call(): Promise<number> {
    const start = process.hrtime.bigint();
    await new Promise<void>((resolve, reject) =>
      this.client.makeUnaryRequest(EMPTY_METHOD, identity, identity, Buffer.alloc(0), (err) =>
        err ? reject(err) : resolve(),
      ),
    );
    return Number(process.hrtime.bigint() - start) / 1e6;
  }

  async close(): Promise<void> {
    this.client.close();
    await this.server.close();
  }
}
