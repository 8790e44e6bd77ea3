/**
 * An ExecStart= command line turned into the argv systemd would execute (systemd.service(5), "Command
 * lines"): split into words (quotes and backslash escapes), `%%` specifiers, then the environment:
 *
 * - `${FOO}`, as a word or part of one, becomes FOO's value as it is, whitespace and all, within that
 *   one argument (nothing when FOO is unset: the argument stays, possibly empty);
 * - `$FOO` as a word of its own becomes FOO's value split at whitespace, quotes respected: zero or more
 *   arguments; `$FOO` inside a word stays as written;
 * - `$$` is a `$`.
 *
 * What systemd accepts but deploy/systemd does not use (executable prefixes such as `-` or `+`,
 * specifiers other than `%%`, `${FOO:-default}`) is refused, so that a test never runs a command line
 * other than the one systemd would.
 */

const NAME = '[A-Za-z_][A-Za-z0-9_]*';

const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', "'": "'", ' ': ' ', n: '\n', t: '\t' };

/** Splits at whitespace; a word may be quoted ("..." or '...'), and a backslash escapes one character. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i])) {
      i++;
      continue;
    }
    let word = '';
    const quote = text[i] === '"' || text[i] === "'" ? text[i++] : undefined;
    for (; i < text.length; i++) {
      const c = text[i];
      if (quote ? c === quote : /\s/.test(c)) break;
      if (!quote && (c === '"' || c === "'")) throw new Error(`a quote inside a word: ${text}`);
      if (c === '\\') {
        const escaped = ESCAPES[text[++i]];
        if (escaped === undefined) throw new Error(`unsupported escape \\${text[i] ?? ''} in: ${text}`);
        word += escaped;
      } else {
        word += c;
      }
    }
    if (quote) {
      if (text[i] !== quote) throw new Error(`unterminated quote in: ${text}`);
      i++;
      if (i < text.length && !/\s/.test(text[i])) throw new Error(`a quote inside a word: ${text}`);
    }
    words.push(word);
  }
  return words;
}

/** Resolves `%%`; any other specifier is refused (systemd.unit(5), "Specifiers"). */
function resolveSpecifiers(word: string): string {
  return word.replace(/%(.?)/g, (_, c: string) => {
    if (c === '%') return '%';
    throw new Error(`unsupported specifier %${c} in ${word}`);
  });
}

/** One word with its `${FOO}` and `$$` replaced; always one argument. */
function expandInWord(word: string, env: Record<string, string | undefined>): string {
  return word.replace(
    /\$(\$|\{([^}]*)\}|\{)?/g,
    (match, tail: string | undefined, name: string | undefined) => {
      if (tail === '$') return '$';
      if (tail === undefined) return match; // a lone `$` (or braceless `$FOO` inside a word) stays
      if (name === undefined || !new RegExp(`^${NAME}$`).test(name))
        throw new Error(`unsupported variable ${match} in ${word}`);
      return env[name] ?? '';
    },
  );
}

/**
 * The argv systemd would run for `commandLine` (an ExecStart= value, continuation lines already
 * joined) in the environment `env` (EnvironmentFile=, Environment= and what systemd itself sets).
 */
export function expandCommandLine(commandLine: string, env: Record<string, string | undefined>): string[] {
  const words = splitWords(commandLine).map(resolveSpecifiers);
  if (words.length === 0) throw new Error('empty command line');
  const [executable, ...args] = words;
  if (!executable.startsWith('/')) throw new Error(`executable prefixes or relative paths: ${executable}`);
  if (executable.includes('$')) throw new Error(`a variable in the executable: ${executable}`);
  const argv = [executable];
  for (const word of args) {
    const whole = new RegExp(`^\\$(${NAME})$`).exec(word);
    if (whole) argv.push(...splitWords(env[whole[1]] ?? ''));
    else argv.push(expandInWord(word, env));
  }
  return argv;
}
