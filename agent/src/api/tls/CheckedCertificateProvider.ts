import { experimental } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { readBoundedFile } from '../readBoundedFile';
import { checkCaBundle, checkIdentity } from './checkCertificates';

type IdentityUpdate = experimental.IdentityCertificateUpdate;
type CaUpdate = experimental.CaCertificateUpdate;
type IdentityListener = experimental.IdentityCertificateUpdateListener;
type CaListener = experimental.CaCertificateUpdateListener;

/** The agent's TLS files, as its flags name them. */
export interface TlsFiles {
  /** --tlscert: the agent's certificate (its chain may follow). */
  certFile: string;
  /** --tlskey: its private key, unencrypted PEM. */
  keyFile: string;
  /** --tlscacert, with --tlsverify: the CAs whose client certificates are accepted. */
  caFile?: string;
}

/** A PEM file is a few KiB; a bundle of many CAs stays well under this. */
const MAX_PEM_BYTES = 1024 * 1024;

/**
 * The certificates the agent serves with, re-read when their files change, with no restart.
 *
 * grpc-js's FileWatcherCertificateProvider does the watching (it re-reads the files every
 * `refreshMs`). On its own it hands grpc-js whatever it read: a file caught half-written, or a
 * certificate already replaced while its key is not yet, fails `setSecureContext`, and grpc-js then
 * drops every new connection until the next good read. This provider sits in between: the files are
 * read and checked once at construction (a bad file fails the start, naming it), and later an update
 * is passed on only when it changed and checks out; otherwise the certificates in use stay, with a
 * warning in the log.
 */
export class CheckedCertificateProvider implements experimental.CertificateProvider {
  private identity: IdentityUpdate;
  private ca: CaUpdate | null;
  private readonly identityListeners = new Set<IdentityListener>();
  private readonly caListeners = new Set<CaListener>();
  private readonly watcher: experimental.FileWatcherCertificateProvider;
  private watching = false;
  /** The last problem said in the log, per kind of file, so that each is said once and not at every refresh. */
  private readonly problems = { identity: '', ca: '' };

  constructor(
    private readonly files: TlsFiles,
    private readonly logger: Logger,
    refreshMs: number,
  ) {
    const certificate = readBoundedFile('--tlscert', files.certFile, MAX_PEM_BYTES);
    const privateKey = readBoundedFile('--tlskey', files.keyFile, MAX_PEM_BYTES);
    const served = checkIdentity(certificate, privateKey, this.identityFiles());
    this.identity = { certificate, privateKey };
    this.ca = null;
    logger.info({ certificate: served }, 'TLS certificate loaded');
    if (files.caFile) {
      const caCertificate = readBoundedFile('--tlscacert', files.caFile, MAX_PEM_BYTES);
      const cas = checkCaBundle(caCertificate, `--tlscacert ${files.caFile}`);
      this.ca = { caCertificate };
      logger.info({ clientCas: cas }, 'client CA certificates loaded');
    }
    this.watcher = new experimental.FileWatcherCertificateProvider({
      certificateFile: files.certFile,
      privateKeyFile: files.keyFile,
      caCertificateFile: files.caFile,
      refreshIntervalMs: refreshMs,
    });
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    this.watchWhileListened();
    // Not at once: grpc-js registers its own watcher right after adding this listener.
    process.nextTick(listener, this.identity);
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
    this.watchWhileListened();
  }

  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    this.watchWhileListened();
    process.nextTick(listener, this.ca);
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
    this.watchWhileListened();
  }

  /** The file watcher runs (a timer) only while a server listens, so a closed agent leaves none behind. */
  private watchWhileListened(): void {
    const wanted = this.identityListeners.size + this.caListeners.size > 0;
    if (wanted === this.watching) return;
    this.watching = wanted;
    if (wanted) {
      this.watcher.addIdentityCertificateListener(this.onIdentityRead);
      if (this.files.caFile) this.watcher.addCaCertificateListener(this.onCaRead);
    } else {
      this.watcher.removeIdentityCertificateListener(this.onIdentityRead);
      if (this.files.caFile) this.watcher.removeCaCertificateListener(this.onCaRead);
    }
  }

  private readonly onIdentityRead = (update: IdentityUpdate | null): void => {
    if (!update) return this.keep('identity', `cannot read ${this.identityFiles()}`);
    const same =
      update.certificate.equals(this.identity.certificate) &&
      update.privateKey.equals(this.identity.privateKey);
    if (same) return this.settled('identity');
    let served;
    try {
      served = checkIdentity(update.certificate, update.privateKey, this.identityFiles());
    } catch (err) {
      return this.keep('identity', (err as Error).message);
    }
    this.identity = update;
    this.settled('identity');
    this.logger.info({ certificate: served }, 'TLS certificate reloaded');
    for (const listener of this.identityListeners) listener(update);
  };

  private readonly onCaRead = (update: CaUpdate | null): void => {
    const what = `--tlscacert ${this.files.caFile}`;
    if (!update) return this.keep('ca', `cannot read ${what}`);
    if (this.ca && update.caCertificate.equals(this.ca.caCertificate)) return this.settled('ca');
    let cas;
    try {
      cas = checkCaBundle(update.caCertificate, what);
    } catch (err) {
      return this.keep('ca', (err as Error).message);
    }
    this.ca = update;
    this.settled('ca');
    this.logger.info({ clientCas: cas }, 'client CA certificates reloaded');
    for (const listener of this.caListeners) listener(update);
  };

  /** Keeps the certificates in use, and says why (once, not at every refresh). */
  private keep(kind: 'identity' | 'ca', problem: string): void {
    if (problem === this.problems[kind]) return;
    this.problems[kind] = problem;
    this.logger.warn({ problem }, 'new TLS files refused: serving with the certificates loaded before');
  }

  private settled(kind: 'identity' | 'ca'): void {
    this.problems[kind] = '';
  }

  private identityFiles(): string {
    return `--tlscert ${this.files.certFile}, --tlskey ${this.files.keyFile}`;
  }
}
