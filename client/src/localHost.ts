/**
 * Where the local agent listens, and what counts as this machine: what the SDK and the CNI plugin
 * share. No imports, so that the plugin (a process per call) loads nothing more for it.
 */

/** Where the CLI, the SDK and the CNI plugin reach an agent by default: the socket of mvnet-agent's default --listen. */
export const DEFAULT_HOST = 'unix:///run/mvnet/agent.sock';

/** A unix socket or a loopback address (`host:port`, `[::1]:port`): plaintext there never crosses the network. */
export function isLocalHost(host: string): boolean {
  if (host.startsWith('unix:')) return true;
  const name = host.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}
