import { ChannelCredentials, createChannel, type Channel } from 'nice-grpc';

/** Where the CLI and SDK reach an agent by default: the socket of mvnet-agent's default --listen. */
export const DEFAULT_HOST = 'unix:///run/mvnet/agent.sock';

/**
 * Turns a --host value into a grpc-js target: `unix:///path` as it is, `h1:7443` or `[::1]:7443` as a
 * plaintext TCP target (TLS comes with its own issue).
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
 */
export function openChannel(host: string): Channel {
  return createChannel(hostTarget(host), ChannelCredentials.createInsecure(), {
    'grpc.max_reconnect_backoff_ms': 10_000,
  });
}
