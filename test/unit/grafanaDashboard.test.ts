/**
 * deploy/grafana/mvnet.json is an importable Grafana dashboard built from the agent's metrics: valid
 * JSON, panel ids unique, every query on the `${DS_PROMETHEUS}` data source variable and filtered by
 * the `instance` variable, and every metric it reads one of issue 15's list or one of prom-client's
 * default process metrics. test/integration/prometheusDashboard.test.ts runs its queries on a real
 * Prometheus.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import {
  allPanels,
  dashboardQueries,
  metricNames,
  readDashboard,
  substituteVariables,
  type Dashboard,
} from '../support/grafanaDashboard';

/** Issue 15's metrics, by type: a histogram is read through its _bucket, _sum and _count series. */
const MVNET_METRICS = {
  counter: [
    'mvnet_rpc_requests_total',
    'mvnet_watch_events_sent_total',
    'mvnet_watchers_ended_total',
    'mvnet_drift_events_total',
    'mvnet_drift_repairs_total',
  ],
  gauge: ['mvnet_networks', 'mvnet_endpoints', 'mvnet_watchers', 'mvnet_revision'],
  histogram: ['mvnet_rpc_duration_seconds', 'mvnet_kernel_op_duration_seconds'],
};

const HISTOGRAM_SERIES = ['_bucket', '_sum', '_count'];

/** The series names a metric of this type exposes. */
function seriesNames(name: string, type: string): string[] {
  return type === 'histogram' ? HISTOGRAM_SERIES.map((suffix) => name + suffix) : [name];
}

/** prom-client's default metrics (process_*, nodejs_*), from a registry of their own. */
async function processSeriesNames(): Promise<string[]> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = await registry.getMetricsAsJSON();
  return metrics.flatMap((metric) => seriesNames(metric.name, String(metric.type)));
}

describe('the Grafana dashboard deploy/grafana/mvnet.json', () => {
  let dashboard: Dashboard;

  beforeAll(() => {
    dashboard = readDashboard();
  });

  it('is a dashboard of a current Grafana schema, with a uid and a title', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(dashboard.title).toBe('mvnet');
  });

  it('gives every panel, rows included, an id of its own', () => {
    const ids = allPanels(dashboard).map((panel) => panel.id);
    expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has a Prometheus data source variable DS_PROMETHEUS and an instance variable read from it', () => {
    const variables = dashboard.templating.list;
    expect(variables.find((v) => v.name === 'DS_PROMETHEUS')).toMatchObject({
      type: 'datasource',
      query: 'prometheus',
    });
    const instance = variables.find((v) => v.name === 'instance');
    expect(instance).toMatchObject({ type: 'query', datasource: { uid: '${DS_PROMETHEUS}' } });
    expect(JSON.stringify(instance!.query)).toContain('label_values(mvnet_revision, instance)');
  });

  it('queries the DS_PROMETHEUS data source in every panel and every query', () => {
    const panels = allPanels(dashboard).filter((panel) => panel.type !== 'row');
    expect(panels.length).toBeGreaterThan(10);
    for (const panel of panels) {
      expect({ panel: panel.title, uid: panel.datasource?.uid }).toEqual({
        panel: panel.title,
        uid: '${DS_PROMETHEUS}',
      });
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.datasource?.uid).toBe('${DS_PROMETHEUS}');
      const refIds = (panel.targets ?? []).map((target) => target.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
    }
  });

  it('filters every query by the instance variable and leaves no other variable than $__rate_interval', () => {
    for (const query of dashboardQueries(dashboard)) {
      expect({ ...query, filtered: query.expr.includes('instance=~"$instance"') }).toEqual({
        ...query,
        filtered: true,
      });
      expect(() =>
        substituteVariables(query.expr, { instances: ['127.0.0.1:9100'], rateInterval: '1m' }),
      ).not.toThrow();
    }
  });

  it("reads only issue 15's metrics and prom-client's process metrics", async () => {
    const allowed = new Set([
      ...Object.entries(MVNET_METRICS)
        .flatMap(([type, names]) => names.map((n) => seriesNames(n, type)))
        .flat(),
      ...(await processSeriesNames()),
    ]);
    for (const query of dashboardQueries(dashboard)) {
      const names = metricNames(query.expr);
      expect(names.length).toBeGreaterThan(0);
      expect({ ...query, unknown: names.filter((name) => !allowed.has(name)) }).toEqual({
        ...query,
        unknown: [],
      });
    }
  });

  it("shows every one of issue 15's metrics somewhere", () => {
    const read = new Set(dashboardQueries(dashboard).flatMap((query) => metricNames(query.expr)));
    const unread = Object.entries(MVNET_METRICS).flatMap(([type, names]) =>
      names.filter((name) => !seriesNames(name, type).some((series) => read.has(series))),
    );
    expect(unread).toEqual([]);
  });
});

describe('metricNames', () => {
  it('finds the metrics of a query, and neither functions, label names, durations nor keywords', () => {
    const expr =
      'histogram_quantile(0.99, sum by (le, method) (rate(a_seconds_bucket{instance=~"x{1}", code!="OK"}[5m] offset 1m)))' +
      ' / on (method) group_left b_total or vector(1e9) and c';
    expect(metricNames(expr).sort()).toEqual(['a_seconds_bucket', 'b_total', 'c']);
  });
});

describe('substituteVariables', () => {
  it('puts the instances in as escaped regexes and the rate interval as a range', () => {
    const expr = 'rate(m{instance=~"$instance"}[$__rate_interval])';
    expect(substituteVariables(expr, { instances: ['127.0.0.1:80'], rateInterval: '30s' })).toBe(
      'rate(m{instance=~"127\\\\.0\\\\.0\\\\.1:80"}[30s])',
    );
    expect(substituteVariables(expr, { instances: ['a:1', 'b:2'], rateInterval: '1m' })).toBe(
      'rate(m{instance=~"(a:1|b:2)"}[1m])',
    );
  });

  it('refuses a variable it does not know', () => {
    expect(() => substituteVariables('m{job="$job"}', { instances: ['a:1'], rateInterval: '1m' })).toThrow(
      /\$job/,
    );
  });
});
