import { loadAccessPolicy } from './api/access/AccessPolicy';
import { groupId } from './api/groupId';
import { isLoopback, parseListenAddress } from './api/listenAddress';
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
  const listen = parseListenAddress(options.listen, tls !== undefined || (options.insecure ?? false));
  const healthListen =
    options.healthListen === undefined
      ? undefined
      : parseListenAddress(options.healthListen, true, '--health-listen');
  if (tls && listen.kind === 'unix')
    throw new Error(
      '--tlscert: TLS is for a TCP --listen; the unix socket is guarded by its file permissions (0660, --group)',
    );
  if (options.group !== undefined && listen.kind !== 'unix')
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
  };
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
