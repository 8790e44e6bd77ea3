import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import type { Role } from './requiredRole';
import { userNameProblem } from './userName';

const ROLES: readonly Role[] = ['viewer', 'operator'];

/**
 * Parses --authorization-file: YAML that lists each role's users,
 *
 *     viewer: [monitor]
 *     operator: [orchestrator]
 *
 * and returns each user's role. Refused, with the line: YAML that does not parse, a role other than
 * viewer and operator, a list that is not a list of user names, a user given two roles (which one
 * would hold is a question the file must answer, not the agent). A role may be missing or empty.
 */
export function parseAuthorizationFile(text: string): Map<string, Role> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw new Error(doc.errors[0].message.split('\n')[0].replace(/:$/, ''));
  const at = (node: Node | null | undefined) => `line ${node?.range ? lines.linePos(node.range[0]).line : 1}`;
  const roles = new Map<string, Role>();
  const lineOfUser = new Map<string, string>();
  if (doc.contents === null) return roles;
  if (!isMap(doc.contents))
    throw new Error(`${at(doc.contents)}: expected roles with their users, e.g. "viewer: [monitor]"`);
  for (const pair of doc.contents.items) {
    const key = pair.key as Node | null;
    const role = isScalar(key) ? String(key.value) : '';
    if (!(ROLES as readonly string[]).includes(role))
      throw new Error(
        `${at(key)}: unknown role ${JSON.stringify(role.slice(0, 64))}: the roles are viewer and operator`,
      );
    const users = pair.value as Node | null;
    if (users === null || (isScalar(users) && users.value === null)) continue;
    if (!isSeq(users))
      throw new Error(`${at(users)}: ${role}: expected a list of user names, e.g. [monitor]`);
    for (const item of users.items as (Node | null)[]) {
      if (!isScalar(item) || typeof item.value !== 'string')
        throw new Error(`${at(item ?? users)}: ${role}: a user name must be a string`);
      const user = item.value;
      const problem = userNameProblem(user);
      if (problem) throw new Error(`${at(item)}: ${role}: a user name that cannot be used: ${problem}`);
      const held = roles.get(user);
      if (held && held !== role)
        throw new Error(
          `${at(item)}: ${user} is already ${held === 'viewer' ? 'a viewer' : 'an operator'} (${lineOfUser.get(user)}): a user has one role`,
        );
      roles.set(user, role as Role);
      lineOfUser.set(user, at(item));
    }
  }
  return roles;
}
