/** The longest user name the agent takes, from a certificate or the token file. */
export const MAX_USER_NAME_LENGTH = 256;

/**
 * Why a user name (a certificate's subject CN, a token file's user) cannot name a user, or undefined
 * when it can: it goes into the authorization file, messages and the audit log, so it is printable
 * text of 1 to MAX_USER_NAME_LENGTH characters. The reasons never quote the name.
 */
export function userNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (name.length > MAX_USER_NAME_LENGTH) return `it is longer than ${MAX_USER_NAME_LENGTH} characters`;
  if (hasControlCharacter(name)) return 'it holds a control character';
  return undefined;
}

/** True when `text` holds a C0 or C1 control character, DEL, or a Unicode line or paragraph separator. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}
