/**
 * The unary calls the metrics benchmark times: ListNetworks and GetHost, read-only calls whose work in
 * the agent is small, so that what the metrics add to every call (the middleware's counter and
 * histogram) is as large a share of them as it can be.
 */
import type { MetricsAgent } from './openMetricsAgents';

export const UNARY_METHODS = ['ListNetworks', 'GetHost'] as const;
export type UnaryMethod = (typeof UNARY_METHODS)[number];

/** How many networks the answer holds (ListNetworks), or whether it names a host (GetHost). */
async function send(a: MetricsAgent, method: UnaryMethod): Promise<number | boolean> {
  if (method === 'ListNetworks') return (await a.client.listNetworks({})).networks.length;
  return (await a.client.getHost({})).host !== undefined;
}

/**
 * One call of `method` on `a`, timed from the request to the answer, in ms; throws when the answer is
 * not what the agent holds (`networks` networks, a host).
 */
export async function timeUnary(a: MetricsAgent, method: UnaryMethod, networks: number): Promise<number> {
  const start = process.hrtime.bigint();
  const answer = await send(a, method);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const expected = method === 'ListNetworks' ? networks : true;
  if (answer !== expected) throw new Error(`${a.side}: ${method} answered ${answer}, not ${expected}`);
  return ms;
}
