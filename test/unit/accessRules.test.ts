import { Metadata, ServerError, Status } from 'nice-grpc';
import type { AccessPolicy } from '../../agent/src/api/access/AccessPolicy';
import { authenticateCall } from '../../agent/src/api/access/authenticateCall';
import { authorizeCall } from '../../agent/src/api/access/authorizeCall';
import { parseTokenFile } from '../../agent/src/api/access/parseTokenFile';
import { requiredRole } from '../../agent/src/api/access/requiredRole';
import { TokenTable } from '../../agent/src/api/access/TokenTable';
import { VERIFIED_PEER_KEY } from '../../agent/src/api/tls/verifiedPeer';

const tokens = new TokenTable(
  parseTokenFile('op-token-0123456789,orchestrator,1\nview-token-012345678,monitor,2\n'),
);
const roles = new Map([
  ['orchestrator', 'operator' as const],
  ['monitor', 'viewer' as const],
]);

/** The metadata of a call: headers as a client sends them, and a certificate as the interceptor records it. */
function metadata(headers: Record<string, string>, commonNames?: string[]): Metadata {
  const md = Metadata(headers);
  if (commonNames) md.set(VERIFIED_PEER_KEY, Buffer.from(JSON.stringify({ commonNames })));
  return md;
}

function refusal(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (err) {
    if (err instanceof ServerError) return { code: Status[err.code], message: err.details };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('requiredRole', () => {
  it.each(['GetHost', 'GetNetwork', 'ListNetworks', 'GetEndpoint', 'ListEndpoints', 'Watch'])(
    '%s needs a viewer',
    (method) => expect(requiredRole(method, {})).toBe('viewer'),
  );
  it.each(['CreateNetwork', 'DeleteNetwork', 'CreateEndpoint', 'DeleteEndpoint', 'ConfirmApply', 'Getaway'])(
    '%s needs an operator',
    (method) => expect(requiredRole(method, {})).toBe('operator'),
  );
  it('Apply needs a viewer with dry_run and an operator without', () => {
    expect(requiredRole('Apply', { dryRun: true })).toBe('viewer');
    expect(requiredRole('Apply', { dryRun: false })).toBe('operator');
    expect(requiredRole('Apply', undefined)).toBe('operator');
  });
});

describe('TokenTable', () => {
  it("finds a token's user, and nobody for a wrong, shorter or longer token", () => {
    expect(tokens.userOf('op-token-0123456789')).toBe('orchestrator');
    expect(tokens.userOf('view-token-012345678')).toBe('monitor');
    expect(tokens.userOf('op-token-012345678')).toBeUndefined();
    expect(tokens.userOf('op-token-01234567890')).toBeUndefined();
    expect(tokens.userOf('')).toBeUndefined();
  });
});

describe('authenticateCall', () => {
  const mtlsAndTokens: AccessPolicy = { transport: 'tcp', clientCertificates: true, tokens, roles };
  const tokensOnly: AccessPolicy = { transport: 'tcp', clientCertificates: false, tokens };
  const open: AccessPolicy = { transport: 'tcp', clientCertificates: false };

  it("takes the certificate's CN over a token, as kube-apiserver does", () => {
    const md = metadata({ authorization: 'Bearer op-token-0123456789' }, ['monitor']);
    expect(authenticateCall(md, mtlsAndTokens)).toEqual({ auth: 'certificate', user: 'monitor' });
  });

  it('takes the token when the certificate has no CN', () => {
    const md = metadata({ authorization: 'bearer  op-token-0123456789 ' }, []);
    expect(authenticateCall(md, mtlsAndTokens)).toEqual({ auth: 'token', user: 'orchestrator' });
  });

  it('refuses a wrong token without quoting it', () => {
    const r = refusal(() => authenticateCall(metadata({ authorization: 'Bearer WRONG-SECRET' }), tokensOnly));
    expect(r).toEqual({ code: 'UNAUTHENTICATED', message: 'the bearer token is not valid' });
  });

  it.each([
    ['no credentials', {}, 'no credentials: present a bearer token'],
    [
      'another scheme',
      { authorization: 'Basic b3A6cHc=' },
      'the authorization header is not "Bearer <token>"',
    ],
    ['a header too long', { authorization: `Bearer ${'x'.repeat(5000)}` }, 'of at most 1024 characters'],
  ])('refuses %s with UNAUTHENTICATED', (_what, headers, message) => {
    const r = refusal(() => authenticateCall(metadata(headers), tokensOnly));
    expect(r.code).toBe('UNAUTHENTICATED');
    expect(r.message).toContain(message);
  });

  it('refuses a certificate with no CN and no token, and one with two CNs', () => {
    expect(refusal(() => authenticateCall(metadata({}, []), mtlsAndTokens)).message).toContain(
      'no subject CN',
    );
    expect(refusal(() => authenticateCall(metadata({}, ['a', 'b']), mtlsAndTokens)).message).toContain(
      '2 CNs',
    );
    expect(refusal(() => authenticateCall(metadata({}, ['a\nb']), mtlsAndTokens)).message).toContain(
      'control character',
    );
  });

  it('lets anyone in as nobody where no credentials are configured, and names the unix socket', () => {
    expect(authenticateCall(metadata({ authorization: 'Bearer anything' }), open)).toEqual({ auth: 'none' });
    expect(authenticateCall(metadata({}), { transport: 'unix', clientCertificates: false })).toEqual({
      auth: 'unix-socket',
    });
  });
});

describe('authorizeCall', () => {
  const policy: AccessPolicy = { transport: 'tcp', clientCertificates: true, roles };

  it('lets a viewer read and an operator do everything', () => {
    expect(() =>
      authorizeCall({ auth: 'certificate', user: 'monitor' }, 'viewer', 'ListNetworks', policy),
    ).not.toThrow();
    expect(() =>
      authorizeCall({ auth: 'certificate', user: 'orchestrator' }, 'operator', 'CreateNetwork', policy),
    ).not.toThrow();
  });

  it("refuses a viewer's mutation and a user without a role with PERMISSION_DENIED", () => {
    expect(
      refusal(() =>
        authorizeCall({ auth: 'certificate', user: 'monitor' }, 'operator', 'CreateNetwork', policy),
      ),
    ).toEqual({
      code: 'PERMISSION_DENIED',
      message: 'user monitor is a viewer: CreateNetwork needs the operator role',
    });
    expect(
      refusal(() => authorizeCall({ auth: 'token', user: 'stranger' }, 'viewer', 'ListNetworks', policy))
        .message,
    ).toContain('user stranger has no role on this agent');
  });

  it('makes every authenticated user an operator without an authorization file', () => {
    const noRoles: AccessPolicy = { transport: 'tcp', clientCertificates: true };
    expect(() =>
      authorizeCall({ auth: 'certificate', user: 'anyone' }, 'operator', 'DeleteNetwork', noRoles),
    ).not.toThrow();
  });
});
