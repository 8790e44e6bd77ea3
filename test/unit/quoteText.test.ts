/**
 * common/quoteText: how the agent and the CLI quote a user's text in a message, one implementation
 * for both (the agent's clientText.quoteText is it, cut at MAX_ECHOED_CHARS).
 */
import { escapeUnprintable, quoteText } from '../../common/quoteText';
import { quoteText as agentQuoteText } from '../../agent/src/domain/clientText';
import { MAX_ECHOED_CHARS } from '../../agent/src/domain/limits';

describe('quoteText', () => {
  it.each([
    ['eth0', '"eth0"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['bell\u0007 esc\u001b[2J', '"bell\\u0007 esc\\u001b[2J"'],
    ['c1 \u0085 nel', '"c1 \\u0085 nel"'],
    ['bidi \u202e override', '"bidi \\u202e override"'],
    ['zero\u200bwidth', '"zero\\u200bwidth"'],
    ['line\u2028sep', '"line\\u2028sep"'],
    ['lone \ud800 surrogate', '"lone \\ud800 surrogate"'],
    ['tag \u{e0041}', '"tag \\udb40\\udc41"'],
    ['ünï 🙂', '"ünï 🙂"'],
  ])('quotes %j as %s, on one printable line', (text, quoted) => {
    expect(quoteText(text)).toBe(quoted);
    expect(agentQuoteText(text)).toBe(quoted);
  });

  it('cuts after 64 characters (not UTF-16 units) and says the length, whatever the length', () => {
    const long = '🙂'.repeat(100);
    expect(quoteText(long)).toBe(`"${'🙂'.repeat(64)}..." (${long.length} characters)`);
    const huge = 'x'.repeat(1024 * 1024);
    expect(quoteText(huge)).toBe(`"${'x'.repeat(64)}..." (1048576 characters)`);
    expect(agentQuoteText(huge)).toBe(quoteText(huge, MAX_ECHOED_CHARS));
    expect(quoteText('x'.repeat(64))).toBe(`"${'x'.repeat(64)}"`);
    expect(quoteText('abcdef', 3)).toBe('"abc..." (6 characters)');
  });

  it('escapes what JSON.stringify leaves raw, and nothing else', () => {
    expect(escapeUnprintable('ok \u009b \u00ad \ufeff')).toBe('ok \\u009b \\u00ad \\ufeff');
    expect(escapeUnprintable('plain text, ünï')).toBe('plain text, ünï');
  });
});
