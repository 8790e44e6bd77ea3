import { InvalidSpecError } from '../../agent/src/domain/errors';
import { parseNetnsRef } from '../../agent/src/domain/parseNetnsRef';

describe('parseNetnsRef: the netns forms a client may name (issue 11)', () => {
  it.each([
    ['c1', { name: 'c1' }],
    ['/var/run/netns/c1', { name: 'c1' }],
    ['/run/netns/c1', { name: 'c1' }],
    ['pid:1234', { pid: 1234 }],
    ['pid:01234', { pid: 1234 }],
    ['/proc/1234/ns/net', { pid: 1234 }],
    ['cni-1f2e3d4c-5b6a', { name: 'cni-1f2e3d4c-5b6a' }],
  ])('reads %j as %j: one namespace, one ref', (text, ref) => {
    expect(parseNetnsRef(text)).toEqual(ref);
  });

  it.each([
    '',
    '/etc/shadow',
    '/tmp/ns',
    '/var/run/netns/../../etc/passwd',
    '/var/run/netns/a/b',
    '/var/run/netns/',
    '/run/netns/.',
    '/proc/self/ns/net',
    '/proc/1234/ns/mnt',
    '/proc/1234/root/var/run/netns/x',
    '/dev/zero',
    'a/b',
    '..',
    '.hidden',
    'c1\n',
    'c\u0000',
    'pid:0',
    'pid:99999999999',
    'pid:-1',
    ' c1',
    'x'.repeat(256),
  ])('refuses %j as INVALID_ARGUMENT naming endpoint.netns, before anything is opened', (text) => {
    const err = (() => {
      try {
        parseNetnsRef(text);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(InvalidSpecError);
    expect((err as Error).message).toMatch(/^endpoint\.netns: /);
    // Nothing raw is echoed back: no control character in the message.
    expect([...(err as Error).message].some((c) => c.charCodeAt(0) < 0x20)).toBe(false);
  });
});
