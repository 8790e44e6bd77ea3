import type { LinkChange } from '../../domain/ports/LinkChangeSource';

const LINE = /^\[[^\]]*\] (\[nsid (current|\d+)\]\[(LINK|ADDR)\](Deleted )?\d+: ([^:@\s]+).*)$/;

/** Reads one line of `ip -o -ts monitor label`; undefined for lines that are not link or address changes. */
export function parseMonitorLine(line: string): LinkChange | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  return {
    nsid: m[2] === 'current' ? 'current' : Number(m[2]),
    what: m[3] === 'LINK' ? 'link' : 'address',
    deleted: m[4] !== undefined,
    ifname: m[5],
    detail: m[1],
  };
}
