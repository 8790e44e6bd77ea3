import { parseTokenFile } from '../../agent/src/api/access/parseTokenFile';

function refusal(text: string): string {
  try {
    parseTokenFile(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the token file to be refused');
}

describe('parseTokenFile (kube-apiserver --token-auth-file)', () => {
  it('reads token,user,uid and the optional quoted groups, skipping blank lines', () => {
    const entries = parseTokenFile(
      's3cret-op,orchestrator,1001\n\r\nv13wer,monitor,1002,"viewers,ops"\r\nq,"a ""quoted"" user",,\n',
    );
    expect(entries).toEqual([
      { token: 's3cret-op', user: 'orchestrator', uid: '1001', groups: [], line: 1 },
      { token: 'v13wer', user: 'monitor', uid: '1002', groups: ['viewers', 'ops'], line: 3 },
      { token: 'q', user: 'a "quoted" user', uid: '', groups: [], line: 4 },
    ]);
  });

  it.each([
    [
      'a line with two fields',
      'good,orchestrator,1\nonly,two\n',
      'line 2: expected token,user,uid[,"group1,group2"], found 2 field(s)',
    ],
    [
      'a line with five fields',
      'a,b,c,d,e',
      'line 1: expected token,user,uid[,"group1,group2"], found 5 field(s)',
    ],
    ['an empty token', ',orchestrator,1', 'line 1: the token is empty'],
    ['an empty user', 'tok,,1', 'line 1: the user name cannot be used: it is empty'],
    [
      'a token with a space',
      '"to ken",orchestrator,1',
      'line 1: the token holds a character a header cannot carry',
    ],
    ['a token used twice', 'tok,a,1\ntok,b,2', 'line 2: the same token as line 1'],
    ['a control character', 'tok,orch\u0007estrator,1', 'line 1: a control character'],
    ['an unclosed quote', 'tok,"orchestrator,1', 'line 1: a quoted field is not closed'],
    ['a bare quote', 'tok,orch"estrator,1', 'line 1: a quote inside an unquoted field'],
    ['text after a closing quote', 'tok,"orch"x,1', 'line 1: text after the closing quote of a field'],
    [
      'a token too long to be a header',
      `${'t'.repeat(1025)},a,1`,
      'line 1: the token is longer than 1024 characters',
    ],
    ['no token at all', '\n\n', 'holds no token'],
  ])('refuses %s, with the line', (_what, text, message) => {
    expect(refusal(text)).toContain(message);
  });

  it('never quotes a token in its messages', () => {
    expect(refusal('SECRET-TOKEN,a,1\nSECRET-TOKEN,b,2')).not.toContain('SECRET');
    expect(refusal('SECRET-TOKEN,,1')).not.toContain('SECRET');
  });
});
