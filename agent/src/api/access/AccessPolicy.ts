import type { Logger } from 'pino';
import { readBoundedFile } from '../readBoundedFile';
import { parseAuthorizationFile } from './parseAuthorizationFile';
import { parseTokenFile } from './parseTokenFile';
import type { Role } from './requiredRole';
import { TokenTable } from './TokenTable';

/** Who may call AgentService on one listener, and as what. */
export interface AccessPolicy {
  /** `unix`: the socket's file permissions decide, and every caller on it is an operator. */
  transport: 'unix' | 'tcp';
  /** --tlsverify: every connection presented a client certificate signed by --tlscacert. */
  clientCertificates: boolean;
  /** --token-auth-file. */
  tokens?: TokenTable;
  /** --authorization-file: each user's role; without it every authenticated user is an operator. */
  roles?: Map<string, Role>;
}

/** The access flags, as the agent's options carry them. */
export interface AccessFiles {
  tokenAuthFile?: string;
  authorizationFile?: string;
}

/** Far above any real token or authorization file; bounds what the agent reads as root (at start, and at each reload). */
const MAX_ACCESS_FILE_BYTES = 1024 * 1024;

/**
 * Reads the token and authorization files and checks that the access flags make sense together:
 * tokens and roles are for a TCP listener (a unix socket is guarded by its file permissions), and an
 * authorization file needs a way to know users (client certificates or tokens). A file that does not
 * parse fails the start, naming the flag, the file and the line.
 */
export function loadAccessPolicy(
  transport: AccessPolicy['transport'],
  clientCertificates: boolean,
  files: AccessFiles,
  logger: Logger,
): AccessPolicy {
  const { tokenAuthFile, authorizationFile } = files;
  if (transport === 'unix') {
    const flag = tokenAuthFile ? '--token-auth-file' : authorizationFile ? '--authorization-file' : undefined;
    if (flag)
      throw new Error(
        `${flag}: the agent listens on a unix socket, which its file permissions guard (0660, --group): tokens and roles are for a TCP --listen`,
      );
    return { transport, clientCertificates: false };
  }
  if (authorizationFile && !clientCertificates && !tokenAuthFile)
    throw new Error(
      '--authorization-file names users, and nothing tells this agent who a caller is: add --tlsverify (the user is the client certificate CN) or --token-auth-file',
    );
  return { transport, clientCertificates, ...readAccessFiles(files, logger) };
}

/**
 * Reads the token and authorization files again (on SIGHUP, and when either changes: watchAccessFiles) and
 * puts both in force together: the next call is checked against them, on any connection; a call under
 * way, or a Watch stream already open, keeps the check it passed. A file that cannot be read or does
 * not parse throws, naming the flag, the file and the line, and changes nothing: the files read before
 * stay in force. A unix socket's policy has no files.
 */
export function reloadAccessPolicy(policy: AccessPolicy, files: AccessFiles, logger: Logger): void {
  if (policy.transport === 'unix') return;
  const { tokens, roles } = readAccessFiles(files, logger);
  policy.tokens = tokens;
  policy.roles = roles;
}

/** The tokens and roles of the files the flags name (none for a flag not given). */
function readAccessFiles(files: AccessFiles, logger: Logger): Pick<AccessPolicy, 'tokens' | 'roles'> {
  const { tokenAuthFile, authorizationFile } = files;
  const read: Pick<AccessPolicy, 'tokens' | 'roles'> = {};
  if (tokenAuthFile) {
    const text = readBoundedFile('--token-auth-file', tokenAuthFile, MAX_ACCESS_FILE_BYTES).toString('utf8');
    read.tokens = new TokenTable(parseOrFail('--token-auth-file', tokenAuthFile, () => parseTokenFile(text)));
  }
  if (authorizationFile) {
    const text = readBoundedFile('--authorization-file', authorizationFile, MAX_ACCESS_FILE_BYTES).toString(
      'utf8',
    );
    read.roles = parseOrFail('--authorization-file', authorizationFile, () => parseAuthorizationFile(text));
  }
  // Logged once both are read: a reload that fails on the second file says nothing of the first.
  if (read.tokens) logger.info({ tokens: read.tokens.size }, 'bearer tokens loaded');
  if (read.roles) {
    const count = (role: Role) => [...read.roles!.values()].filter((r) => r === role).length;
    logger.info({ viewers: count('viewer'), operators: count('operator') }, 'roles loaded');
  }
  return read;
}

/** Whether a caller must prove who it is: client certificates or tokens are configured. */
export function requiresCredentials(policy: AccessPolicy): boolean {
  return policy.transport === 'tcp' && (policy.clientCertificates || policy.tokens !== undefined);
}

function parseOrFail<T>(flag: string, file: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new Error(`${flag} ${file}: ${(err as Error).message}`);
  }
}
