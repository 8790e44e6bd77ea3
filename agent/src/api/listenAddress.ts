import { isIP } from 'node:net';

/** Where the agent listens: a unix socket path, or a TCP host:port. */
export type ListenAddress = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

/**
 * Parses a listen address (`flag` names it in errors): `unix:///run/mvnet/agent.sock` (or
 * `unix:/path`), `host:port`, `[v6]:port`. Unless `anyHost`, only loopback or a unix socket: the
 * agent's API in plaintext goes elsewhere only with --insecure, an explicit choice (as dockerd's plain
 * TCP); with TLS (--tlscert, --tlskey), or for the health-only listener, any address is fine.
 */
export function parseListenAddress(text: string, anyHost: boolean, flag = '--listen'): ListenAddress {
  if (text.startsWith('unix:')) {
    const path = text.replace(/^unix:(\/\/)?/, '');
    if (!path.startsWith('/'))
      throw new Error(
        `${flag} ${text}: a unix socket needs an absolute path, e.g. unix:///run/mvnet/agent.sock`,
      );
    return { kind: 'unix', path };
  }
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (!match) throw new Error(`${flag} ${text}: use host:port, [ipv6]:port or unix:///path`);
  const host = match[1] ?? match[2];
  const port = Number(match[3]);
  if (port > 65535) throw new Error(`${flag} ${text}: port ${port} is out of range`);
  if (!isLoopback(host) && !anyHost) {
    throw new Error(
      `${flag} ${text}: without TLS the agent listens on loopback or a unix socket only; serve TLS with --tlscert and --tlskey (and --tlsverify --tlscacert for client certificates), or pass --insecure to serve plaintext on ${host}`,
    );
  }
  return { kind: 'tcp', host, port };
}

/** The address in grpc-js's form. */
export function grpcAddress(address: ListenAddress): string {
  if (address.kind === 'unix') return `unix://${address.path}`;
  return isIP(address.host) === 6 ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** True for a host name or address that stays on this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}
