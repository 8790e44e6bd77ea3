import { X509Certificate, createPrivateKey } from 'node:crypto';

/** What the log says about a certificate: never the key, never the whole PEM. */
export interface CertificateSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  validTo: string;
  subjectAltName?: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/**
 * Checks a certificate and its private key as a pair: the certificate parses, the key parses (an
 * encrypted key is refused: the agent has no passphrase to give) and belongs to the certificate.
 * Throws an Error that names what is wrong; `what` names the files (`--tlscert A, --tlskey B`).
 */
export function checkIdentity(certificate: Buffer, privateKey: Buffer, what: string): CertificateSummary {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certificate);
  } catch (err) {
    throw new Error(`${what}: the certificate is not a PEM certificate (${errorText(err)})`);
  }
  let key;
  try {
    key = createPrivateKey(privateKey);
  } catch (err) {
    throw new Error(`${what}: the key is not an unencrypted PEM private key (${errorText(err)})`);
  }
  if (!leaf.checkPrivateKey(key))
    throw new Error(`${what}: the key does not belong to the certificate (${leaf.subject.trim()})`);
  return summarize(leaf);
}

/** Checks a CA bundle: one PEM certificate or more, each parsing. Returns their summaries. */
export function checkCaBundle(bundle: Buffer, what: string): CertificateSummary[] {
  const blocks = bundle.toString('latin1').match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new Error(`${what}: holds no PEM certificate`);
  return blocks.map((block, i) => {
    try {
      return summarize(new X509Certificate(block));
    } catch (err) {
      throw new Error(`${what}: certificate ${i + 1} does not parse (${errorText(err)})`);
    }
  });
}

function summarize(cert: X509Certificate): CertificateSummary {
  return {
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    serialNumber: cert.serialNumber,
    validTo: cert.validTo,
    ...(cert.subjectAltName ? { subjectAltName: cert.subjectAltName } : {}),
  };
}

/** Node prints a distinguished name one attribute a line. */
function oneLine(name: string): string {
  return name.trim().split('\n').join(', ');
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
