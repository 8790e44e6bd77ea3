import { ServerCredentials, experimental } from '@grpc/grpc-js';
import type { CheckedCertificateProvider } from './CheckedCertificateProvider';

/**
 * The credentials of the agent's listener: plaintext without a certificate; TLS from the provider
 * (re-read on change) with one; with `requireClientCertificate` (--tlsverify), the handshake also
 * requires a client certificate signed by one of the provider's CAs, as dockerd's --tlsverify does.
 *
 * grpc-js 1.14 declares `createCertificateProviderServerCredentials(ca, identity, require)` but hands
 * its first two arguments to a constructor that takes `(identity, ca)`: identity first is what works.
 * With mutual TLS the one provider fills both places, so the order cannot matter; without it the CA
 * place is null, which the integration tests of both modes would catch if a release swapped them.
 */
export function createServerCredentials(
  provider: CheckedCertificateProvider | undefined,
  requireClientCertificate: boolean,
): ServerCredentials {
  if (!provider) return ServerCredentials.createInsecure();
  return experimental.createCertificateProviderServerCredentials(
    provider,
    requireClientCertificate ? provider : null,
    requireClientCertificate,
  );
}
