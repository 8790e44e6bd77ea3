/** A file error as a person reads it (`no such file (ENOENT)`): the agent's and the CLI's messages. */
export function describeFileError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const known: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EISDIR: 'is a directory',
    ENOTDIR: 'a part of the path is not a directory',
    ELOOP: 'too many symbolic links',
  };
  if (code && known[code]) return `${known[code]} (${code})`;
  return err instanceof Error ? err.message : String(err);
}
