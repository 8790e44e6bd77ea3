import { clock } from './LabLog';

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};

/** pino's own fields, shown in the line's head or not at all (the same on every line). */
const HEAD_FIELDS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name']);

function renderValue(value: unknown): string {
  return typeof value === 'string' && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
}

/**
 * One line of an agent's stdout (pino JSON) as people read it: `HH:MM:SS.mmm LEVEL msg key=value...`,
 * on the same clock as steps.log and orchestrator.log; an error's stack follows on indented lines.
 * Whatever is not pino JSON (a crash trace on stderr) is kept as it is.
 */
export function formatAgentLogLine(line: string): { text: string; entry?: Record<string, unknown> } {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
    if (typeof entry !== 'object' || entry === null || typeof entry.level !== 'number') throw new Error();
  } catch {
    return { text: line };
  }
  const fields: string[] = [];
  let stack = '';
  for (const [key, value] of Object.entries(entry)) {
    if (HEAD_FIELDS.has(key)) continue;
    const err = value as { message?: unknown; stack?: unknown } | null;
    if (key === 'err' && typeof err === 'object' && err !== null) {
      fields.push(`err=${renderValue(err.message)}`);
      if (typeof err.stack === 'string') stack = `\n${err.stack.replace(/^/gm, '    ')}`;
    } else fields.push(`${key}=${renderValue(value)}`);
  }
  const time = typeof entry.time === 'number' ? clock(entry.time) : clock();
  const level = LEVELS[entry.level as number] ?? String(entry.level);
  const text = [time, level, String(entry.msg ?? ''), ...fields].join(' ');
  return { text: text + stack, entry };
}
