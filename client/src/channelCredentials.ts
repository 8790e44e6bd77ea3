import fs from 'node:fs';
import { ChannelCredentials } from 'nice-grpc';
import { describeFileError } from '../../common/describeFileError';

/** TLS as Docker's client flags give it. */
export interface ClientTlsOptions {
  /** `--tls`: TLS, without verifying the agent's certificate (Docker's --tls). */
  tls?: boolean;
  /** `--tlsverify`: TLS, and the agent's certificate must be signed by `tlsCaCert` and name the host. */
  tlsVerify?: boolean;
  /** `--tlscacert`: the CA certificate(s) the agent's certificate is verified against (PEM file). */
  tlsCaCert?: string;
  /** `--tlscert`: the client certificate (PEM file), for an agent with --tlsverify. */
  tlsCert?: string;
  /** `--tlskey`: the client certificate's private key (unencrypted PEM file). */
  tlsKey?: string;
}

/** True when the options ask for TLS. */
export function usesTls(options: ClientTlsOptions): boolean {
  return Boolean(options.tls || options.tlsVerify);
}

/**
 * The channel's credentials, mirroring Docker's client: plaintext unless --tls or --tlsverify; --tls
 * encrypts and trusts whatever certificate the agent shows; --tlsverify also checks it against
 * --tlscacert and the host name (or IP) dialled; --tlscert and --tlskey present a client certificate.
 * Files are read now, and a missing one is named.
 */
export function channelCredentials(host: string, options: ClientTlsOptions): ChannelCredentials {
  const { tlsVerify, tlsCaCert, tlsCert, tlsKey } = options;
  if (!usesTls(options)) {
    const given = tlsCaCert ? '--tlscacert' : tlsCert ? '--tlscert' : tlsKey ? '--tlskey' : undefined;
    if (given) throw new Error(`${given} is for TLS: add --tlsverify (or --tls)`);
    return ChannelCredentials.createInsecure();
  }
  if (host.startsWith('unix:'))
    throw new Error(`${host}: TLS is for TCP hosts; a unix socket is guarded by its file permissions`);
  if (Boolean(tlsCert) !== Boolean(tlsKey))
    throw new Error(
      `${tlsCert ? '--tlscert' : '--tlskey'} goes with ${tlsCert ? '--tlskey' : '--tlscert'}: give both`,
    );
  if (tlsVerify && !tlsCaCert)
    throw new Error(
      '--tlsverify: name the CA that signed the agent certificate with --tlscacert (or MVNET_CERT_PATH)',
    );
  const ca = tlsVerify ? readPem('CA certificate (--tlscacert)', tlsCaCert!) : null;
  const key = tlsKey ? readPem('client key (--tlskey)', tlsKey) : null;
  const cert = tlsCert ? readPem('client certificate (--tlscert)', tlsCert) : null;
  return ChannelCredentials.createSsl(ca, key, cert, tlsVerify ? {} : { rejectUnauthorized: false });
}

function readPem(what: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new Error(`${what} ${file}: ${describeFileError(err)}`);
  }
}
