/**
 * The floor under any RPC's time: an empty unary call from a bare @grpc/grpc-js client to the bare
 * server of rawGrpcServer.ts, in a process of its own (started once, not timed; ended by process group).
 */
import * as grpc from '@grpc/grpc-js';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { EMPTY_METHOD } from './rawGrpcServer';

const identity = (b: Buffer) => b;
const START_TIMEOUT_MS = 10_000;

export class RawGrpcFloor {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: grpc.Client,
  ) {}

  static async start(): Promise<RawGrpcFloor> {
    const child = spawn(process.execPath, [path.join(__dirname, 'rawGrpcServer.js')], {
      detached: true,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the raw grpc-js server did not start')),
        START_TIMEOUT_MS,
      );
      child.once('exit', (code) => reject(new Error(`the raw grpc-js server exited (${code})`)));
      readline.createInterface({ input: child.stdout! }).on('line', (line) => {
        const m = /^PORT (\d+)$/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    }).catch((err: unknown) => {
      killGroup(child);
      throw err;
    });
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const floor = new RawGrpcFloor(child, client);
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

  close(): void {
    this.client.close();
    killGroup(this.child);
  }
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // Gone already.
  }
}
