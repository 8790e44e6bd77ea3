/** Characters never shown raw: controls, format characters (bidi overrides), lone surrogates, separators. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/gu;

/** How much of a user's text a message quotes, by default (the agent's MAX_ECHOED_CHARS). */
const SHOWN_CHARS = 64;

/**
 * A user's text (a client's value in the agent, a value from a spec file or a flag in the CLI) as a
 * message quotes it: JSON-quoted with every unprintable character escaped, and cut after `shown`
 * characters with its length said, so that a message never carries a megabyte or a terminal escape
 * back. Shared by the agent and the client, which quote alike.
 */
export function quoteText(text: string, shown = SHOWN_CHARS): string {
  const chars = Array.from(text.slice(0, 4 * shown));
  const cut = chars.length > shown;
  const quoted = escapeUnprintable(JSON.stringify(cut ? chars.slice(0, shown).join('') : text));
  return cut ? `${quoted.slice(0, -1)}..." (${text.length} characters)` : quoted;
}

/**
 * Text with every unprintable character as a `\uXXXX` escape (JSON.stringify leaves C1 controls and
 * format characters raw): one line that a terminal shows as it is, whatever the text held.
 */
export function escapeUnprintable(text: string): string {
  return text.replace(UNPRINTABLE, (c) =>
    Array.from({ length: c.length }, (_, i) => `\\u${hex4(c.charCodeAt(i))}`).join(''),
  );
}

function hex4(codeUnit: number): string {
  return codeUnit.toString(16).padStart(4, '0');
}
