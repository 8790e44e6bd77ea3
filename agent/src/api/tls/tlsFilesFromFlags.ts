import type { TlsFiles } from './CheckedCertificateProvider';

/** The agent's TLS flags, Docker's names. */
export interface TlsFlags {
  tlsCert?: string;
  tlsKey?: string;
  tlsVerify?: boolean;
  tlsCaCert?: string;
  insecure?: boolean;
}

/**
 * Checks the TLS flags together, as dockerd reads them: --tlscert and --tlskey serve TLS; --tlsverify
 * also requires client certificates signed by --tlscacert. Returns the files, or undefined for
 * plaintext. Refuses what would be a surprise: one of --tlscert and --tlskey without the other,
 * --tlsverify without TLS or without a CA, a CA that would verify nothing (--tlscacert without
 * --tlsverify: dockerd ignores it, which hides a missing --tlsverify), and --insecure with TLS.
 */
export function tlsFilesFromFlags(flags: TlsFlags): TlsFiles | undefined {
  const { tlsCert, tlsKey, tlsVerify, tlsCaCert, insecure } = flags;
  if (!tlsCert && !tlsKey) {
    if (tlsVerify || tlsCaCert)
      throw new Error(
        `${tlsVerify ? '--tlsverify' : '--tlscacert'}: TLS needs the agent's certificate and key: add --tlscert and --tlskey`,
      );
    return undefined;
  }
  if (!tlsCert || !tlsKey)
    throw new Error(
      `${tlsCert ? '--tlscert' : '--tlskey'} goes with ${tlsCert ? '--tlskey' : '--tlscert'}: give both`,
    );
  if (insecure)
    throw new Error('--insecure serves plaintext, --tlscert and --tlskey serve TLS: drop one of them');
  if (tlsVerify && !tlsCaCert)
    throw new Error('--tlsverify: name the CA that signs client certificates with --tlscacert');
  if (tlsCaCert && !tlsVerify)
    throw new Error(
      '--tlscacert: the CA verifies client certificates only with --tlsverify (mutual TLS): add --tlsverify, or drop --tlscacert',
    );
  return { certFile: tlsCert, keyFile: tlsKey, ...(tlsVerify ? { caFile: tlsCaCert } : {}) };
}
