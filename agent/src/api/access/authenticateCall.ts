import { ServerError, Status, type Metadata } from 'nice-grpc';
import { readVerifiedPeer } from '../tls/verifiedPeer';
import { requiresCredentials, type AccessPolicy } from './AccessPolicy';
import { MAX_TOKEN_LENGTH } from './parseTokenFile';
import { userNameProblem } from './userName';

/** How a caller proved who it is. */
export type AuthMethod = 'certificate' | 'token' | 'unix-socket' | 'none';

/** Who is calling: a user, proved by a certificate or a token; or nobody in particular. */
export interface Caller {
  auth: AuthMethod;
  /** Set for `certificate` and `token`. */
  user?: string;
}

/** `Bearer` and a token, with room for spaces; anything longer is not a header this agent reads. */
const MAX_AUTHORIZATION_LENGTH = MAX_TOKEN_LENGTH + 64;

/**
 * Says who a call comes from, as kube-apiserver does: the subject CN of a client certificate verified
 * in the handshake; failing that (no certificate, or one without a CN), the user of an
 * `authorization: Bearer <token>` header found in --token-auth-file. A certificate wins over a token.
 * On a unix socket the caller is whoever the file permissions let in. Where neither certificates nor
 * tokens are configured, nobody needs to prove anything (`none`).
 *
 * Throws UNAUTHENTICATED where credentials are required and missing, or are presented and wrong. The
 * messages never quote a token.
 */
export function authenticateCall(metadata: Metadata, policy: AccessPolicy): Caller {
  if (policy.transport === 'unix') return { auth: 'unix-socket' };
  const peer = readVerifiedPeer(metadata);
  if (peer && peer.commonNames.length > 1)
    refuse(
      `the client certificate's subject has ${peer.commonNames.length} CNs: the user name must be one CN`,
    );
  if (peer && peer.commonNames.length === 1) {
    const user = peer.commonNames[0];
    const problem = userNameProblem(user);
    if (problem) refuse(`the client certificate's subject CN cannot be a user name: ${problem}`);
    return { auth: 'certificate', user };
  }
  const token = bearerToken(metadata);
  if (token !== undefined && policy.tokens) {
    const user = policy.tokens.userOf(token);
    if (user === undefined) refuse('the bearer token is not valid');
    return { auth: 'token', user };
  }
  if (!requiresCredentials(policy)) return { auth: 'none' };
  if (token !== undefined)
    refuse(
      'this agent takes no bearer tokens (no --token-auth-file): present a client certificate with a CN',
    );
  if (peer)
    refuse('the client certificate has no subject CN to name a user, and no bearer token came with it');
  refuse(
    `no credentials: present ${policy.clientCertificates ? 'a client certificate' : 'a bearer token (authorization: Bearer <token>)'}`,
  );
}

/** The token of the call's `authorization: Bearer <token>` header (scheme case-insensitive), if any. */
function bearerToken(metadata: Metadata): string | undefined {
  const values = metadata.getAll('authorization');
  if (values.length === 0) return undefined;
  if (values.length > 1) refuse('more than one authorization header');
  const value = values[0];
  if (typeof value !== 'string' || value.length > MAX_AUTHORIZATION_LENGTH)
    refuse(`the authorization header is not "Bearer <token>" of at most ${MAX_TOKEN_LENGTH} characters`);
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(value);
  if (!match) refuse('the authorization header is not "Bearer <token>"');
  return match[1];
}

function refuse(message: string): never {
  throw new ServerError(Status.UNAUTHENTICATED, message);
}
