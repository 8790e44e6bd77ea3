import { parseAuthorizationFile } from '../../agent/src/api/access/parseAuthorizationFile';

function refusal(text: string): string {
  try {
    parseAuthorizationFile(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the authorization file to be refused');
}

describe('parseAuthorizationFile (--authorization-file)', () => {
  it('gives each listed user its role, in flow or block lists', () => {
    const roles = parseAuthorizationFile('viewer: [monitor, grafana]\noperator:\n  - orchestrator\n');
    expect(Object.fromEntries(roles)).toEqual({
      monitor: 'viewer',
      grafana: 'viewer',
      orchestrator: 'operator',
    });
  });

  it('takes an empty file, a missing role and an empty role (nobody has a role)', () => {
    expect(parseAuthorizationFile('').size).toBe(0);
    expect(parseAuthorizationFile('viewer:\noperator: []\n').size).toBe(0);
  });

  it.each([
    [
      'an unknown role',
      'viewer: [a]\nadmin: [b]\n',
      'line 2: unknown role "admin": the roles are viewer and operator',
    ],
    [
      'a user in two roles',
      'viewer: [a]\noperator:\n  - b\n  - a\n',
      'line 4: a is already a viewer (line 1): a user has one role',
    ],
    ['a role given twice', 'viewer: [a]\nviewer: [b]\n', 'Map keys must be unique at line 2'],
    [
      'a role that is not a list',
      'operator: orchestrator\n',
      'line 1: operator: expected a list of user names',
    ],
    [
      'a user that is not a string',
      'viewer:\n  - {name: a}\n',
      'line 2: viewer: a user name must be a string',
    ],
    [
      'a user name with a control character',
      'viewer: ["a\\u0001b"]\n',
      'line 1: viewer: a user name that cannot be used: it holds a control character',
    ],
    ['a list at the top', '- viewer\n', 'line 1: expected roles with their users'],
    [
      'YAML that does not parse',
      'viewer: [monitor\n',
      'must be sufficiently indented and end with a ] at line 2',
    ],
  ])('refuses %s, with the line', (_what, text, message) => {
    expect(refusal(text)).toContain(message);
  });
});
