import { hasControlCharacter, userNameProblem } from './userName';

/** One line of a token file: kube-apiserver's `token,user,uid[,"group1,group2"]`. */
export interface TokenEntry {
  token: string;
  user: string;
  uid: string;
  groups: string[];
  /** 1-based, for messages. */
  line: number;
}

/** Longer than any token a person or a generator makes, short enough to bound the header that carries it. */
export const MAX_TOKEN_LENGTH = 1024;

/** What a token may hold: it travels as `authorization: Bearer <token>`, one header value, split on spaces. */
const TOKEN_CHARACTERS = /^[\x21-\x7e]+$/;

/**
 * Parses a token file in kube-apiserver's format (--token-auth-file): CSV, one user per line,
 * `token,user,uid` and optionally a fourth, quoted, column of comma-separated groups; blank lines are
 * skipped. Stricter than kube-apiserver, which warns and goes on: an empty token, a token used twice,
 * a token a header cannot carry, an unusable user name or a control character anywhere fail with the
 * line number. Messages never quote a token.
 */
export function parseTokenFile(text: string): TokenEntry[] {
  const entries: TokenEntry[] = [];
  const lineOfToken = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((raw, i) => {
    const line = i + 1;
    const record = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (record.trim() === '') return;
    const fields = splitCsvRecord(record, line);
    if (fields.length < 3 || fields.length > 4)
      fail(line, `expected token,user,uid[,"group1,group2"], found ${fields.length} field(s)`);
    const [token, user, uid, groups = ''] = fields;
    if (hasControlCharacter(record)) fail(line, 'a control character');
    if (token === '') fail(line, 'the token is empty');
    if (token.length > MAX_TOKEN_LENGTH)
      fail(line, `the token is longer than ${MAX_TOKEN_LENGTH} characters`);
    if (!TOKEN_CHARACTERS.test(token))
      fail(line, 'the token holds a character a header cannot carry (spaces, non-ASCII)');
    const previous = lineOfToken.get(token);
    if (previous !== undefined) fail(line, `the same token as line ${previous}`);
    const problem = userNameProblem(user);
    if (problem) fail(line, `the user name cannot be used: ${problem}`);
    lineOfToken.set(token, line);
    entries.push({ token, user, uid, groups: groups === '' ? [] : groups.split(','), line });
  });
  if (entries.length === 0) throw new Error('holds no token');
  return entries;
}

/**
 * One CSV record as Go's encoding/csv reads it (what kube-apiserver uses): fields split on commas; a
 * field that starts with a double quote runs to the closing quote, `""` standing for one quote. A quote
 * anywhere else is an error, as in Go without LazyQuotes.
 */
function splitCsvRecord(record: string, line: number): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (record[i] === '"') {
      i++;
      for (;;) {
        if (i >= record.length) fail(line, 'a quoted field is not closed');
        if (record[i] === '"') {
          if (record[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += record[i++];
      }
      if (i < record.length && record[i] !== ',') fail(line, 'text after the closing quote of a field');
    } else {
      const end = record.indexOf(',', i);
      field = record.slice(i, end === -1 ? record.length : end);
      if (field.includes('"')) fail(line, 'a quote inside an unquoted field');
      i = end === -1 ? record.length : end;
    }
    fields.push(field);
    if (i >= record.length) return fields;
    i++; // the comma
  }
}

function fail(line: number, problem: string): never {
  throw new Error(`line ${line}: ${problem}`);
}
