import { loadAccessPolicy } from './api/access/AccessPolicy';
import { groupId } from './api/groupId';
import { isLoopback, parseListenAddress, type ListenAddress } from './api/listenAddress';
import type { ServeOptions } from './api/serveAgent';
import { CheckedCertificateProvider } from './api/tls/CheckedCertificateProvider';
import { tlsFilesFromFlags } from './api/tls/tlsFilesFromFlags';
import type { AgentOptions } from './startAgent';

/**
 * Reads and checks everything about how the agent serves, before it touches the host: the listen
 * addresses, the TLS flags and files, the token and authorization files, the socket's group. A
 * mistake fails here with a message naming the flag (and the file and line).
 */
export function serveOptions(options: AgentOptions): ServeOptions {
  const tls = tlsFilesFromFlags(options);
  const { listen, localSocket } = listenAddresses(options, tls !== undefined || (options.insecure ?? false));
  const healthListen =
    options.healthListen === undefined
      ? undefined
      : parseListenAddress(options.healthListen, true, '--health-listen');
  if (tls && listen.kind === 'unix')
    throw new Error(
      '--tlscert: TLS is for a TCP --listen; the unix socket is guarded by its file permissions (0660, --group)',
    );
  if (options.group !== undefined && listen.kind !== 'unix' && !localSocket)
    throw new Error(
      `--group ${options.group}: it sets the unix socket's group, and --listen is not a unix socket`,
    );
  const requireClientCertificate = tls?.caFile !== undefined;
  const metricsListen = metricsAddress(options);
  return {
    listen,
    healthListen,
    requireClientCertificate,
    access: loadAccessPolicy(listen.kind, requireClientCertificate, options, options.logger),
    certificates:
      tls && new CheckedCertificateProvider(tls, options.logger, options.certificateRefreshMs ?? 5000),
    socketGroupId: options.group === undefined ? undefined : groupId(options.group),
    metricsListen,
    localSocket: localSocket && {
      listen: localSocket,
      access: loadAccessPolicy('unix', false, {}, options.logger),
    },
  };
}

/** At most this many --listen: a TCP address and a unix socket beside it. */
const MAX_LISTEN = 2;

/**
 * The --listen addresses (the flag may be given twice, as dockerd's -H): one alone is the listener; a
 * TCP address and a unix socket are the listener (TLS, tokens and roles apply to it) and a local
 * socket beside it.
 */
function listenAddresses(
  options: AgentOptions,
  anyHost: boolean,
): { listen: ListenAddress; localSocket?: Extract<ListenAddress, { kind: 'unix' }> } {
  const texts = typeof options.listen === 'string' ? [options.listen] : options.listen;
  if (texts.length === 0) throw new Error('--listen: give the address to serve on');
  const addresses = texts.map((text) => parseListenAddress(text, anyHost));
  const unix = addresses.filter((a): a is Extract<ListenAddress, { kind: 'unix' }> => a.kind === 'unix');
  const tcp = addresses.filter((a) => a.kind === 'tcp');
  if (addresses.length > MAX_LISTEN || unix.length > 1 || tcp.length > 1)
    throw new Error(
      `--listen ${texts.join(' --listen ')}: at most one TCP address and one unix socket (e.g. --listen 0.0.0.0:7443 --listen unix:///run/mvnet/agent.sock)`,
    );
  if (tcp.length === 0) return { listen: unix[0] };
  return { listen: tcp[0], localSocket: unix[0] };
}

/**
 * --metrics-listen: plain HTTP for Prometheus, on a TCP address; loopback only unless
 * --metrics-insecure, because the metrics name the host's networks even though they change nothing.
 */
function metricsAddress(options: AgentOptions): ServeOptions['metricsListen'] {
  const text = options.metricsListen;
  if (text === undefined) {
    if (options.metricsInsecure)
      throw new Error('--metrics-insecure: it allows a non-loopback --metrics-listen, and none is given');
    return undefined;
  }
  const address = parseListenAddress(text, true, '--metrics-listen');
  if (address.kind === 'unix')
    throw new Error(
      `--metrics-listen ${text}: Prometheus scrapes HTTP over TCP: use host:port, e.g. 127.0.0.1:9464`,
    );
  if (!isLoopback(address.host) && !options.metricsInsecure)
    throw new Error(
      `--metrics-listen ${text}: metrics are served on loopback only (they name this host's networks); pass --metrics-insecure to serve them on ${address.host}, and restrict who reaches the port`,
    );
  return address;
}
