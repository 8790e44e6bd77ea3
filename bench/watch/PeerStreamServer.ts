/**
 * The benchmark's side of the raw grpc-js peer (peerStreamProcess.ts): forks it, hands it the SYNCED
 * bytes, and has it write a message to every stream it serves. It exits when the benchmark's IPC
 * channel closes, so it never outlives the run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { PeerCommand, PeerReport } from './peerStreamProtocol';

const START_DEADLINE_MS = 10_000;
const EMIT_DEADLINE_MS = 10_000;
const EXIT_DEADLINE_MS = 5000;

export interface Emitted {
  /** CLOCK_MONOTONIC ns just before the server's first write, and just after its last. */
  startNs: bigint;
  endNs: bigint;
  streams: number;
}

export class PeerStreamServer {
  private nextId = 0;
  private readonly waiting = new Map<number, (e: Emitted) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly address: string,
  ) {
    child.on('message', (m: PeerReport) => {
      if (m.type !== 'emitted') return;
      this.waiting.get(m.id)?.(m);
      this.waiting.delete(m.id);
    });
    child.on('error', () => undefined); // a send that fails says so to its own callback
  }

  /** Starts the server; every stream it takes gets `synced` first. */
  static async start(synced: Uint8Array): Promise<PeerStreamServer> {
    const child = fork(path.join(__dirname, 'peerStreamProcess.js'), [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    try {
      const address = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('the peer server did not listen')),
          START_DEADLINE_MS,
        );
        child.once('exit', () => reject(new Error('the peer server exited before it listened')));
        child.on('message', (m: PeerReport) => {
          if (m.type === 'emitted') return;
          clearTimeout(timer);
          if (m.type === 'ready') resolve(m.address);
          else reject(new Error(`the peer server: ${m.message}`));
        });
      });
      child.send({ type: 'synced', bytes: synced } satisfies PeerCommand);
      return new PeerStreamServer(child, address);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
  }

  /** Has the server write `bytes` to every stream it serves; resolves with when it did. */
  emit(bytes: Uint8Array): Promise<Emitted> {
    const id = this.nextId++;
    return new Promise<Emitted>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error('the peer server did not write its message'));
      }, EMIT_DEADLINE_MS);
      this.waiting.set(id, (e) => {
        clearTimeout(timer);
        resolve(e);
      });
      this.child.send({ type: 'emit', id, bytes } satisfies PeerCommand, (err) => {
        if (!err) return;
        clearTimeout(timer);
        this.waiting.delete(id);
        reject(new Error(`the peer server: ${err.message}`));
      });
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (child.connected) child.send({ type: 'exit' } satisfies PeerCommand, () => undefined);
    const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_DEADLINE_MS);
    await exited;
    clearTimeout(timer);
  }
}
