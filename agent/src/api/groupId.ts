import fs from 'node:fs';

/**
 * The id of a group named by --group: a number as it is, a name looked up in /etc/group (Node has no
 * getgrnam; the agent runs as root on hosts whose groups live there, and a name it cannot find fails
 * the start rather than leaving the socket to root alone).
 */
export function groupId(name: string, groupFile = '/etc/group'): number {
  if (/^\d+$/.test(name)) return Number(name);
  const lines = fs.readFileSync(groupFile, 'utf8').split('\n');
  for (const line of lines) {
    const [group, , gid] = line.split(':');
    if (group === name && /^\d+$/.test(gid ?? '')) return Number(gid);
  }
  throw new Error(`--group ${name}: no such group in ${groupFile}`);
}
