/**
 * The support code that reads the unit's ExecStart= and environment file as systemd does
 * (test/support/systemdCommandLine.ts, systemdUnitFile.ts): the integration test starts the agent with
 * what they produce, so they must follow systemd's rules, and refuse what they do not know.
 */
import { expandCommandLine, splitWords } from '../support/systemdCommandLine';
import {
  parseEnvironmentFile,
  parseUnitFile,
  serviceDirectories,
  unitValue,
} from '../support/systemdUnitFile';

describe('expandCommandLine', () => {
  const env = { LISTEN: '0.0.0.0:7443', SPACED: 'a b  c', EMPTY: '', ARGS: '--x 1 "two words"' };

  it('makes ${VAR} exactly one argument, whitespace kept, and an unset one an empty argument', () => {
    expect(expandCommandLine('/bin/a --listen ${LISTEN} ${SPACED} ${UNSET} x${LISTEN}y', env)).toEqual([
      '/bin/a',
      '--listen',
      '0.0.0.0:7443',
      'a b  c',
      '',
      'x0.0.0.0:7443y',
    ]);
  });

  it('splits $VAR as a word of its own at whitespace, quotes respected, and drops it when empty', () => {
    expect(expandCommandLine('/bin/a $ARGS $EMPTY $UNSET end', env)).toEqual([
      '/bin/a',
      '--x',
      '1',
      'two words',
      'end',
    ]);
  });

  it('keeps $VAR inside a word as written, and makes $$ a dollar and %% a percent', () => {
    expect(expandCommandLine('/bin/a x$LISTEN $$HOME 100%%', env)).toEqual([
      '/bin/a',
      'x$LISTEN',
      '$HOME',
      '100%',
    ]);
  });

  it('unquotes words and their escapes before expanding', () => {
    expect(expandCommandLine(`/bin/a "\${SPACED} q" '$$ x' a\\ b`, env)).toEqual([
      '/bin/a',
      'a b  c q',
      '$ x',
      'a b',
    ]);
  });

  it('refuses what systemd reads otherwise or this code does not know', () => {
    expect(() => expandCommandLine('-/bin/a', env)).toThrow(/prefixes/);
    expect(() => expandCommandLine('/bin/a %i', env)).toThrow(/specifier %i/);
    expect(() => expandCommandLine('/bin/a ${X:-1}', env)).toThrow(/unsupported variable/);
    expect(() => expandCommandLine('/bin/a "open', env)).toThrow(/unterminated/);
    expect(() => splitWords('a"b"')).toThrow(/inside a word/);
  });
});

describe('parseUnitFile and parseEnvironmentFile', () => {
  it('joins continued lines with a space, skips comments inside them, and keeps repeated keys', () => {
    const unit = parseUnitFile(
      '# c\n[Service]\nExecStart=/bin/a --x \\\n# inside\n    --y\nStateDirectory=mvnet\nRuntimeDirectory=mvnet\n' +
        'SystemCallFilter=@system-service\nSystemCallFilter=~@privileged\n',
    );
    expect(unitValue(unit, 'Service', 'ExecStart')).toBe('/bin/a --x  --y');
    expect(unit.get('Service')!.get('SystemCallFilter')).toEqual(['@system-service', '~@privileged']);
    expect(serviceDirectories(unit)).toEqual({
      env: { RUNTIME_DIRECTORY: '/run/mvnet', STATE_DIRECTORY: '/var/lib/mvnet' },
      paths: ['/run/mvnet', '/var/lib/mvnet'],
    });
  });

  it('reads NAME=value lines, trimmed, and refuses quoting it does not interpret', () => {
    expect(parseEnvironmentFile('# c\n; c\n\nA=1\n B = two words \nC=\n')).toEqual({
      A: '1',
      B: 'two words',
      C: '',
    });
    expect(() => parseEnvironmentFile('A="1"\n')).toThrow(/quotes/);
    expect(() => parseEnvironmentFile('not a line\n')).toThrow(/not an environment file line/);
  });
});
