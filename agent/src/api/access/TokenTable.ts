import { createHash, timingSafeEqual } from 'node:crypto';
import type { TokenEntry } from './parseTokenFile';

/**
 * The tokens of --token-auth-file, looked up in constant time: the presented token is hashed, and its
 * digest compared with every entry's (timingSafeEqual, always all of them), so neither the time to
 * the first differing byte nor the position of a match tells a caller anything. Only digests are
 * kept in memory.
 */
export class TokenTable {
  private readonly entries: { digest: Buffer; user: string }[];

  constructor(entries: readonly TokenEntry[]) {
    this.entries = entries.map(({ token, user }) => ({ digest: digestOf(token), user }));
  }

  get size(): number {
    return this.entries.length;
  }

  /** The user a token belongs to, or undefined. */
  userOf(token: string): string | undefined {
    const digest = digestOf(token);
    let user: string | undefined;
    for (const entry of this.entries) {
      const equal = timingSafeEqual(entry.digest, digest);
      if (equal && user === undefined) user = entry.user;
    }
    return user;
  }
}

function digestOf(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
