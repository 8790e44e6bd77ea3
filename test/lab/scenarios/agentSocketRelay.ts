/**
 * The agent's unix socket as a CNI plugin on a host reaches it, in the lab. A real host's agent listens
 * on `unix:///run/mvnet/agent.sock`, which mvnet-cni dials by default (it refuses plaintext TCP to
 * anything but loopback). The lab's agents listen on their host's management address instead, for
 * the orchestrator, and an agent has one --listen: so each host's socket is stood in by a unix socket
 * of the scenario's that relays every connection, byte for byte, to that host's agent. A unix socket is
 * reached from any network namespace, so the plugin dials it from the host's namespace, as on a host.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export class AgentSocketRelay {
  private constructor(
    private readonly server: net.Server,
    private readonly dir: string,
    /** The socket's path. */
    readonly socketPath: string,
    private readonly connections: Set<net.Socket>,
  ) {}

  /** `unix:///...`: the config's `agent` field. */
  get address(): string {
    return `unix://${this.socketPath}`;
  }

  /** Listens on a new socket in the lab's /tmp, relaying to `agent` (`host:port`). */
  static async open(agent: string): Promise<AgentSocketRelay> {
    const [host, port] = [
      agent.slice(0, agent.lastIndexOf(':')),
      Number(agent.slice(agent.lastIndexOf(':') + 1)),
    ];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-sock-'));
    const socketPath = path.join(dir, 'agent.sock');
    const connections = new Set<net.Socket>();
    const server = net.createServer((client) => {
      const upstream = net.connect(port, host);
      for (const s of [client, upstream]) {
        connections.add(s);
        s.on('close', () => connections.delete(s)).on('error', () =>
          (s === client ? upstream : client).destroy(),
        );
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socketPath, resolve));
    return new AgentSocketRelay(server, dir, socketPath, connections);
  }

  /** Stops listening, ends every relayed connection and removes the socket. */
  async close(): Promise<void> {
    for (const s of this.connections) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
