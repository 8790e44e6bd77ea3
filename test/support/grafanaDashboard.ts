/**
 * deploy/grafana/mvnet.json as the tests read it: its panels, the PromQL of each of their queries,
 * those queries with the dashboard's template variables filled in as Grafana's Prometheus data source
 * fills them, and the metric names a query reads.
 */
import fs from 'node:fs';
import path from 'node:path';
import { findRepoRoot } from '../../tools/findRepoRoot';

/** The dashboard file, from the repository's root. */
export const DASHBOARD_PATH = 'deploy/grafana/mvnet.json';

/** The parts of a Grafana dashboard these tests read. */
export interface Dashboard {
  schemaVersion: number;
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: TemplateVariable[] };
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string; datasource?: { type: string; uid: string } }[];
  /** A collapsed row holds its panels. */
  panels?: Panel[];
}

export interface TemplateVariable {
  name: string;
  type: string;
  query: unknown;
  datasource?: { type: string; uid: string };
}

/** One query of one panel. */
export interface DashboardQuery {
  panel: string;
  refId: string;
  expr: string;
}

/** Reads and parses the dashboard (JSON.parse's error when it is not JSON). */
export function readDashboard(): Dashboard {
  return JSON.parse(fs.readFileSync(path.join(findRepoRoot(), DASHBOARD_PATH), 'utf8')) as Dashboard;
}

/** Every panel, those inside collapsed rows too. */
export function allPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** Every query of every panel, named `<panel title> <refId>`. */
export function dashboardQueries(dashboard: Dashboard): DashboardQuery[] {
  return allPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ panel: panel.title, refId: target.refId, expr: target.expr })),
  );
}

/** Regular-expression characters, which Grafana escapes in a value put in a `=~` matcher. */
const REGEX_SPECIAL = /[\\^$*+?.()|[\]{}]/g;

/**
 * The query as Grafana sends it: `$instance` (a multi-value variable, used in `=~` matchers) becomes
 * the chosen instances as an alternation of escaped regexes, `$__rate_interval` a range. Throws if a
 * variable is left that this does not know.
 */
export function substituteVariables(
  expr: string,
  values: { instances: string[]; rateInterval: string },
): string {
  // In a PromQL string a regex's backslash is written twice: 127\\.0\\.0\\.1:9100.
  const escaped = values.instances.map((instance) => instance.replace(REGEX_SPECIAL, '\\\\$&'));
  const instance = escaped.length === 1 ? escaped[0] : `(${escaped.join('|')})`;
  const result = expr
    .replace(/\$__rate_interval\b/g, values.rateInterval)
    .replace(/\$\{instance\}|\$instance\b/g, instance);
  if (result.includes('$')) throw new Error(`a template variable is left in ${result}`);
  return result;
}

/** PromQL's keywords and aggregation modifiers: words that are neither functions nor metrics. */
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool']);
const OPERATOR_WORDS = new Set(['and', 'or', 'unless', 'offset', 'inf', 'nan']);

/**
 * The metric names a query reads. Strings, label matchers (`{...}`), ranges (`[...]`) and the label
 * lists of `by`, `without`, `on`, `ignoring` and `group_*` are dropped first; what is left is
 * functions and aggregations (a name followed by `(`), operator words, numbers and metric names.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  // A word starts where no name or number goes on (the `e9` of 1e9 and the `m` of `offset 5m` do not).
  for (const match of stripped.matchAll(/(?<![A-Za-z0-9_.:])[A-Za-z_:][A-Za-z0-9_:]*(?=\s*(\()?)/g)) {
    const word = match[0];
    if (match[1] === '(' || KEYWORDS.has(word) || OPERATOR_WORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names];
}
