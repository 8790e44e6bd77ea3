/**
 * Certificates for the TLS tests, made with the openssl CLI in a directory the test owns: CAs, a server
 * certificate per agent (SAN: 127.0.0.1 and localhost) and client certificates whose subject CN is the
 * user. The same steps as the README's recipe, with EC P-256 keys (fast to make).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** A certificate and its key, as files. */
export interface CertPair {
  cert: string;
  key: string;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA in `dir`: `<name>-ca.pem` and its key, signing certificates into the same directory. */
export class TestCa {
  readonly cert: string;
  private readonly key: string;
  private serial = 1;

  constructor(
    readonly dir: string,
    readonly name: string,
  ) {
    this.cert = path.join(dir, `${name}-ca.pem`);
    this.key = path.join(dir, `${name}-ca-key.pem`);
    newKey(this.key);
    openssl([
      'req',
      '-x509',
      '-new',
      '-key',
      this.key,
      '-out',
      this.cert,
      '-days',
      '30',
      '-subj',
      `/CN=${name} test CA`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
  }

  /** A server certificate for an agent on loopback: SAN 127.0.0.1, ::1 and localhost. */
  server(file: string): CertPair {
    return this.sign(file, '/CN=mvnet-agent', [
      'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
      'extendedKeyUsage=serverAuth',
    ]);
  }

  /** A client certificate with this subject (`/CN=orchestrator`; `/O=mvnet` for one without a CN). */
  client(file: string, subject: string): CertPair {
    return this.sign(file, subject, ['extendedKeyUsage=clientAuth']);
  }

  private sign(file: string, subject: string, extensions: string[]): CertPair {
    const pair = { cert: path.join(this.dir, `${file}.pem`), key: path.join(this.dir, `${file}-key.pem`) };
    const csr = path.join(this.dir, `${file}.csr`);
    const ext = path.join(this.dir, `${file}.ext`);
    newKey(pair.key);
    openssl(['req', '-new', '-key', pair.key, '-subj', subject, '-out', csr]);
    fs.writeFileSync(ext, `${extensions.join('\n')}\n`);
    openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      this.cert,
      '-CAkey',
      this.key,
      '-set_serial',
      String(this.serial++),
      '-days',
      '30',
      '-extfile',
      ext,
      '-out',
      pair.cert,
    ]);
    fs.rmSync(csr);
    fs.rmSync(ext);
    return pair;
  }
}

function newKey(file: string): void {
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);
}
