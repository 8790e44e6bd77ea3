/** The top-level fields in which two specs of the same shape differ, for "exists with another spec" errors. */
export function diffSpecFields<T extends object>(a: T, b: T): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof T & string>;
  return [...keys].filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]));
}
