/**
 * BENCHMARKS.md, at the top of the repository: a title, then one section per benchmark, each between
 * the markers `<!-- NAME:start -->` and `<!-- NAME:end -->`. This is the one writer of that file: a
 * benchmark hands it its section, and it replaces that section alone, keeping the rest of the file
 * (the other benchmarks' sections above all) as it is.
 */
import fs from 'node:fs';
import path from 'node:path';
import { findRepoRoot } from '../../tools/findRepoRoot';

/** The file, at the top of the repository (found from bench/ and from dist/bench/ alike). */
export const BENCHMARKS_MD = path.join(findRepoRoot(), 'BENCHMARKS.md');

/**
 * The sections, in the order the file shows them: `npm run bench:all`'s summary, `npm run bench`'s two,
 * then `npm run bench:cni`'s, `npm run bench:watch`'s, `npm run bench:fleet`'s, `npm run bench:restore`'s, `npm run bench:memory`'s,
 * `npm run bench:metrics`'s and `npm run bench:soak`'s.
 */
const SECTIONS = [
  'summary',
  'attach',
  'apply',
  'cni',
  'watch',
  'fleet',
  'restore',
  'memory',
  'metrics',
  'soak',
] as const;

export type BenchmarkSection = (typeof SECTIONS)[number];

/** The top of a new file. */
const TITLE = [
  '# Benchmarks',
  '',
  'Each section is written by its benchmark, with the machine it ran on: `npm run bench` (endpoint attach,',
  'and Apply), `npm run bench:cni` (a CNI ADD), `npm run bench:watch` (Watch), `npm run bench:fleet` (fleet',
  "rollouts), `npm run bench:restore` (restart and reboot at scale), `npm run bench:memory` (the agent's memory),",
  '`npm run bench:metrics` (what `--metrics-listen` costs) and `npm run bench:soak` (a long run). A run',
  'rewrites its own sections and leaves the others as they are; `npm run bench:all` runs them all but the soak',
  'and rewrites the file whole, with a summary of every target first (the soak section kept).',
].join('\n');

const startMarker = (section: BenchmarkSection) => `<!-- ${section}:start -->`;
const endMarker = (section: BenchmarkSection) => `<!-- ${section}:end -->`;

/**
 * `text` with the block of `section` (markers included) holding `body`: in place of the old block, or,
 * when there is none, before the first block of a section that comes after it, or else at the end.
 */
function placeSection(text: string, section: BenchmarkSection, body: string): string {
  const [start, end] = [startMarker(section), endMarker(section)];
  const block = `${start}\n${body.trim()}\n${end}`;
  const from = text.indexOf(start);
  const to = from >= 0 ? text.indexOf(end, from) : -1;
  if (to >= 0) return text.slice(0, from) + block + text.slice(to + end.length);
  const later = SECTIONS.slice(SECTIONS.indexOf(section) + 1)
    .map((s) => text.indexOf(startMarker(s)))
    .filter((at) => at >= 0);
  if (later.length > 0) {
    const at = Math.min(...later);
    return `${text.slice(0, at)}${block}\n\n${text.slice(at)}`;
  }
  const head = text.trimEnd();
  return `${head}${head === '' ? '' : '\n\n'}${block}\n`;
}

/** Writes `body` as the section `section` of BENCHMARKS.md (made when missing); returns the file's path. */
export function writeBenchmarksMd(section: BenchmarkSection, body: string): string {
  const text = fs.existsSync(BENCHMARKS_MD) ? fs.readFileSync(BENCHMARKS_MD, 'utf8') : `${TITLE}\n`;
  fs.writeFileSync(BENCHMARKS_MD, placeSection(text, section, body));
  return BENCHMARKS_MD;
}

/** The body of `section` in BENCHMARKS.md as it is now; undefined when the file or the section is missing. */
export function readBenchmarkSection(section: BenchmarkSection): string | undefined {
  if (!fs.existsSync(BENCHMARKS_MD)) return undefined;
  const text = fs.readFileSync(BENCHMARKS_MD, 'utf8');
  const from = text.indexOf(startMarker(section));
  const to = from >= 0 ? text.indexOf(endMarker(section), from) : -1;
  return to >= 0 ? text.slice(from + startMarker(section).length, to).trim() : undefined;
}

/**
 * Starts BENCHMARKS.md anew: the title, and of the sections there now only those named in `keep` (the
 * ones a whole run does not write again), each as it was.
 */
export function resetBenchmarksMd(keep: readonly BenchmarkSection[]): void {
  const kept = keep.flatMap((section) => {
    const body = readBenchmarkSection(section);
    return body === undefined ? [] : [[section, body] as const];
  });
  let text = `${TITLE}\n`;
  for (const [section, body] of kept) text = placeSection(text, section, body);
  fs.writeFileSync(BENCHMARKS_MD, text);
}
