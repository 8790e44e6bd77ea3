import { checkText, mapKeyField, quoteText } from '../../agent/src/domain/clientText';
import { InvalidSpecError } from '../../agent/src/domain/errors';
import { MAX_ECHOED_CHARS, MAX_TEXT_FIELD_BYTES } from '../../agent/src/domain/limits';

describe('client text: printable only, never echoed raw or whole', () => {
  it.each([
    ['NUL', 'a\u0000b', 'U+0000', 1],
    ['a bell', '\u0007', 'U+0007', 0],
    ['a newline', 'a\n', 'U+000A', 1],
    ['DEL', 'a\u007f', 'U+007F', 1],
    ['a C1 control', 'a\u009b[2J', 'U+009B', 1],
    ['a right-to-left override', 'abc\u202e', 'U+202E', 3],
    ['a zero-width space', 'a\u200bb', 'U+200B', 1],
    ['a line separator', 'a\u2028', 'U+2028', 1],
    ['a lone surrogate', 'a\ud800', 'U+D800', 1],
  ])('refuses %s, naming its code point and place', (_what, text, code, index) => {
    const err = (() => {
      try {
        checkText('endpoint.name', text);
      } catch (e) {
        return e as InvalidSpecError;
      }
      throw new Error('expected a refusal');
    })();
    expect(err).toBeInstanceOf(InvalidSpecError);
    expect(err.field).toBe('endpoint.name');
    expect(err.message).toContain(`${code} at index ${index}`);
    expect(err.message).not.toMatch(/[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/u);
  });

  it('takes printable text of any script, and refuses text over its byte bound', () => {
    expect(() => checkText('f', 'web-1 é ü 日本 🙂')).not.toThrow();
    expect(() => checkText('f', 'é'.repeat(MAX_TEXT_FIELD_BYTES / 2))).not.toThrow();
    expect(() => checkText('f', 'é'.repeat(MAX_TEXT_FIELD_BYTES / 2 + 1))).toThrow(/1026 bytes is too long/);
  });

  it('quotes text with every unprintable character escaped', () => {
    expect(quoteText('a\u0000b\u009b\u202e\u2028"')).toBe('"a\\u0000b\\u009b\\u202e\\u2028\\""');
    expect(quoteText('c1')).toBe('"c1"');
  });

  it('cuts long text, saying how long it was', () => {
    const quoted = quoteText('x'.repeat(1 << 20));
    expect(quoted).toBe(`"${'x'.repeat(MAX_ECHOED_CHARS)}..." (1048576 characters)`);
    expect(quoteText('🙂'.repeat(100))).toContain('🙂'.repeat(MAX_ECHOED_CHARS) + '..."');
  });

  it('names a map entry by its key as it is when plain, quoted when not', () => {
    expect(mapKeyField('network.labels', 'example.com/tier')).toBe('network.labels[example.com/tier]');
    expect(mapKeyField('network.labels', 'a b')).toBe('network.labels["a b"]');
    expect(mapKeyField('network.labels', 'a\u0007')).toBe('network.labels["a\\u0007"]');
  });
});
