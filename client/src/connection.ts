import { createChannel, Metadata, type Channel } from 'nice-grpc';
import { channelCredentials, usesTls, type ClientTlsOptions } from './channelCredentials';
import { DEFAULT_HOST, isLocalHost } from './localHost';

export { DEFAULT_HOST } from './localHost';

/** How to reach one agent: where, over TLS or not, and with which token. */
export interface ConnectionOptions extends ClientTlsOptions {
  /** `unix:///path`, `h1:7443` or `[v6]:7443`; default: the local agent's unix socket. */
  host?: string;
  /** `--token`: sent as `authorization: Bearer <token>` (kube-apiserver's tokens, --token-auth-file). */
  token?: string;
  /**
   * A connection of its own, not the one grpc-js's global subchannel pool shares between channels to
   * one target: a call on it proves the agent answers now, on a connection opened now.
   */
  ownConnection?: boolean;
}

/** A channel, and the metadata every call on it carries (the token). */
export interface Connection {
  channel: Channel;
  metadata: Metadata;
}

/**
 * Turns a --host value into a grpc-js target: `unix:///path` as it is, `h1:7443` or `[::1]:7443` as a
 * TCP target.
 */
export function hostTarget(host: string): string {
  if (host.startsWith('unix:')) return host;
  if (/^\[[^\]]+\]:\d+$/.test(host) || /^[^:/\s]+:\d+$/.test(host)) return host;
  throw new Error(`host ${JSON.stringify(host)}: use host:port, [ipv6]:port or unix:///path`);
}

/**
 * Opens a channel to one agent. grpc-js waits up to 120 s between attempts to reconnect to a peer that
 * went away, failing calls at once meanwhile: bounded to 10 s here, so that a watch resuming after an
 * agent restart (or an orchestrator retrying) finds the agent back soon after it is.
 *
 * A token is refused in plaintext to anything but this machine (a unix socket, loopback): whoever
 * sees it on the network could replay it.
 */
export function openConnection(options: ConnectionOptions = {}): Connection {
  const host = options.host ?? DEFAULT_HOST;
  const target = hostTarget(host);
  const credentials = channelCredentials(host, options);
  const metadata = Metadata();
  if (options.token !== undefined) {
    if (!/^[\x21-\x7e]{1,1024}$/.test(options.token))
      throw new Error('the token must be 1 to 1024 printable ASCII characters without spaces');
    if (!usesTls(options) && !isLocalHost(host))
      throw new Error(`refusing to send a token in plaintext to ${host}: add --tlsverify (or --tls)`);
    metadata.set('authorization', `Bearer ${options.token}`);
  }
  const channel = createChannel(target, credentials, {
    'grpc.max_reconnect_backoff_ms': 10_000,
    ...(options.ownConnection ? { 'grpc.use_local_subchannel_pool': 1 } : {}),
  });
  return { channel, metadata };
}
