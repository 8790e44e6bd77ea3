/**
 * A real mvnet-agent (dist/, managing a throwaway netns) with `--metrics-listen 127.0.0.1:0`, scraped
 * every second by a real Prometheus (Debian's package, started by the test on loopback: see
 * test/support/prometheusServer.ts). The test makes networks and endpoints and calls the agent through
 * the SDK, then asks Prometheus's HTTP API until it agrees (deadlines are generous: this is not a speed
 * check): the agent's endpoint count, and the rate of the method it called. Then every query of
 * deploy/grafana/mvnet.json, its variables filled in for this agent, is accepted by that Prometheus and
 * returns series.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentClient, type NetworkSpec } from '../../client/src';
import { addNetns, deleteNetns } from '../../tools/netns';
import { spawnAgent, type AgentProcess } from '../support/agentProcess';
import { dashboardQueries, readDashboard, substituteVariables } from '../support/grafanaDashboard';
import { makeNetnsHost, type NetnsHost } from '../support/netnsHost';
import { uniqueNetnsName } from '../support/netnsPrefix';
import { startPrometheus, type PrometheusServer } from '../support/prometheusServer';
import { waitFor } from '../support/waitFor';

/** How long Prometheus may take to scrape and agree: scrapes are 1 s apart, the machine is shared. */
const CONVERGE_MS = 60_000;

/** The range of the rates, the test's `$__rate_interval`: many 1 s scrapes. */
const RATE_INTERVAL = '30s';

/** The method the test keeps calling, as the agent labels it. */
const CALLED_METHOD = 'AgentService/ListNetworks';

function network(name: string, third: number): NetworkSpec {
  return {
    name,
    parent: 'eth0',
    subnets: [
      { cidr: `192.168.${third}.0/24`, gateway: `192.168.${third}.1`, ipRange: '', auxAddresses: {} },
    ],
  };
}

/** What the test makes: endpoint name → network. */
const ENDPOINTS: Record<string, string> = { c1: 'front', c2: 'front', c3: 'back' };

/** The single value of an instant query's vector, or undefined while it has no series. */
async function scalarOf(prometheus: PrometheusServer, expr: string): Promise<number | undefined> {
  const result = await prometheus.vector(expr);
  if (result.length > 1) throw new Error(`${expr}: ${result.length} series, expected one`);
  return result.length === 1 ? Number(result[0].value[1]) : undefined;
}

describe('the agent scraped by a real Prometheus, and the Grafana dashboard on it', () => {
  let host: NetnsHost | undefined;
  let dir: string | undefined;
  let agent: AgentProcess | undefined;
  let client: AgentClient | undefined;
  let prometheus: PrometheusServer | undefined;
  let target = '';
  const containers: string[] = [];

  beforeAll(async () => {
    host = await makeNetnsHost('prom');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-prom-agent-'));
    agent = await spawnAgent({ stateDir: dir, netns: host.ns, extra: ['--metrics-listen', '127.0.0.1:0'] });
    if (agent.metricsAddress === undefined) throw new Error('the agent logged no metricsAddress');
    // host:port, as Prometheus's static targets want it.
    target = agent.metricsAddress;
    prometheus = await startPrometheus({ targets: [target], job: 'mvnet' });
    client = new AgentClient({ host: agent.address });
    await client.createNetwork(network('front', 10));
    await client.createNetwork(network('back', 20));
    for (const [name, net] of Object.entries(ENDPOINTS)) {
      const netns = uniqueNetnsName(name);
      await addNetns(netns);
      containers.push(netns);
      await client.createEndpoint({ network: net, name, netns });
    }
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await agent?.stop();
    await prometheus?.stop();
    for (const netns of containers) await deleteNetns(netns);
    await host?.cleanup();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The label matcher that picks this agent's series. */
  const thisAgent = () => `instance="${target}", job="mvnet"`;

  it(
    'reports the endpoints and networks the test made',
    async () => {
      const endpoints = Object.keys(ENDPOINTS).length;
      await waitFor(
        `sum(mvnet_endpoints) = ${endpoints}`,
        async () => (await scalarOf(prometheus!, `sum(mvnet_endpoints{${thisAgent()}})`)) === endpoints,
        CONVERGE_MS,
      );
      expect(await scalarOf(prometheus!, `sum(mvnet_endpoints{${thisAgent()}, status="ready"})`)).toBe(
        endpoints,
      );
      expect(await scalarOf(prometheus!, `sum(mvnet_endpoints{${thisAgent()}, network="front"})`)).toBe(2);
      expect(await scalarOf(prometheus!, `sum(mvnet_networks{${thisAgent()}})`)).toBe(2);
    },
    2 * CONVERGE_MS,
  );

  it(
    `reports a rate above zero for ${CALLED_METHOD}, which the test keeps calling`,
    async () => {
      const calling = new AbortController();
      const calls = (async () => {
        while (!calling.signal.aborted) {
          await client!.listNetworks();
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      try {
        const expr = `sum(rate(mvnet_rpc_requests_total{${thisAgent()}, method="${CALLED_METHOD}", code="OK"}[${RATE_INTERVAL}]))`;
        const rate = await waitFor(
          `${expr} > 0`,
          async () => {
            const value = await scalarOf(prometheus!, expr);
            return value !== undefined && value > 0 && value;
          },
          CONVERGE_MS,
        );
        expect(rate).toBeGreaterThan(0);
      } finally {
        calling.abort();
        await calls;
      }
    },
    2 * CONVERGE_MS,
  );

  it("lists this agent in the dashboard's instance variable (label_values(mvnet_revision, instance))", async () => {
    expect(await prometheus!.labelValues('instance', 'mvnet_revision')).toContain(target);
  });

  it('accepts every query of the dashboard, with its variables filled in, and returns series for each', async () => {
    const queries = dashboardQueries(readDashboard());
    expect(queries.length).toBeGreaterThan(20);
    for (const query of queries) {
      const expr = substituteVariables(query.expr, { instances: [target], rateInterval: RATE_INTERVAL });
      const name = `"${query.panel}" ${query.refId}: ${expr}`;
      // A parse or type error is final: no waiting for it.
      const first = await prometheus!.query(expr);
      expect(`${name}: ${first.status === 'error' ? `${first.errorType}: ${first.error}` : 'accepted'}`).toBe(
        `${name}: accepted`,
      );
      const series = await waitFor(
        `series from ${name}`,
        async () => {
          const result = await prometheus!.vector(expr);
          return result.length > 0 && result;
        },
        CONVERGE_MS,
      );
      expect(series.length).toBeGreaterThan(0);
    }
  }, 300_000);
});
