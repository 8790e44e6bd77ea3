/**
 * A container runtime's side of CNI, as the lab plays it: mvnet-cni installed where a runtime looks
 * (`$CNI_PATH/mvnet-cni`, a link to dist's built plugin), and executed as containerd or CRI-O execute a
 * plugin, in the host's own network namespace: one process per call, CNI_* variables in its
 * environment, the network config on stdin, the result or error object read from stdout.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findRepoRoot } from '../../../tools/findRepoRoot';

/** The built plugin. The lab mounts the repository read-only: it must be executable before the lab boots. */
export const MVNET_CNI_MAIN = path.join(findRepoRoot(), 'dist/client/src/cni/main.js');

/** One plugin call of a runtime. */
export interface CniCall {
  command: 'ADD' | 'CHECK' | 'DEL';
  /** The host's namespace: where a runtime on that host runs its plugins. */
  hostNetns: string;
  containerId: string;
  /** The container's netns as a path (CNI_NETNS). */
  netns: string;
  ifname: string;
  /** CNI_ARGS, `K=V;K2=V2`, when any. */
  args?: string;
  config: Record<string, unknown>;
}

/** What the plugin answered: its exit code and its stdout, parsed (a result, an error object, or nothing). */
export interface CniAnswer {
  code: number;
  output?: Record<string, unknown>;
  stderr: string;
}

export class CniRuntime {
  private constructor(
    /** The runtime's CNI_PATH, holding `mvnet-cni`. */
    readonly cniPath: string,
  ) {}

  /** Installs mvnet-cni in a new CNI_PATH dir (the lab's /tmp); remove() takes it away. */
  static install(): CniRuntime {
    if (!isExecutable(MVNET_CNI_MAIN))
      throw new Error(
        `${MVNET_CNI_MAIN} is not executable, and the lab mounts the repository read-only: ` +
          'chmod 755 it before the lab boots (tsc writes 0644; test/lab/multihost.test.ts does it for npm test)',
      );
    const cniPath = fs.mkdtempSync(path.join(os.tmpdir(), 'cni-bin-'));
    fs.symlinkSync(MVNET_CNI_MAIN, path.join(cniPath, 'mvnet-cni'));
    return new CniRuntime(cniPath);
  }

  /** Executes `$CNI_PATH/<config.type>` for `call` in its host's namespace; resolves whatever it answered. */
  exec(call: CniCall): Promise<CniAnswer> {
    const plugin = path.join(this.cniPath, String(call.config.type));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      CNI_COMMAND: call.command,
      CNI_CONTAINERID: call.containerId,
      CNI_NETNS: call.netns,
      CNI_IFNAME: call.ifname,
      CNI_PATH: this.cniPath,
      ...(call.args === undefined ? {} : { CNI_ARGS: call.args }),
    };
    return new Promise((resolve, reject) => {
      const child = execFile(
        'ip',
        ['netns', 'exec', call.hostNetns, plugin],
        { env, encoding: 'utf8', timeout: 120_000 },
        (err, stdout, stderr) => {
          if (err && typeof err.code !== 'number') return reject(err);
          const text = stdout.trim();
          const code = err ? Number(err.code) : 0;
          resolve({ code, output: text ? (JSON.parse(text) as Record<string, unknown>) : undefined, stderr });
        },
      );
      child.stdin!.end(JSON.stringify(call.config));
    });
  }

  /** Like exec, and throws with the plugin's answer unless it exited 0. */
  async execOk(call: CniCall): Promise<Record<string, unknown> | undefined> {
    const answer = await this.exec(call);
    if (answer.code !== 0)
      throw new Error(
        `mvnet-cni ${call.command} for ${call.containerId.slice(0, 12)} exited ${answer.code}: ` +
          `${JSON.stringify(answer.output)} ${answer.stderr.trim()}`,
      );
    return answer.output;
  }

  remove(): void {
    fs.rmSync(this.cniPath, { recursive: true, force: true });
  }
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
