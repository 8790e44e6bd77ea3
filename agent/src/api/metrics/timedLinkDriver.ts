import type { LinkDriver } from '../../domain/ports/LinkDriver';
import type { AgentMetrics } from './AgentMetrics';

/** The kernel steps timed, as mvnet_kernel_op_duration_seconds's `op`: every method of the port but close. */
const OPS = new Set<string>([
  'listLinks',
  'getLink',
  'createVlan',
  'createDummy',
  'createMacvlan',
  'deleteLink',
  'setLinkUp',
  'setPromiscuous',
  'attachEndpoint',
  'detachEndpoint',
  'removeTempLink',
  'inspectEndpoint',
  'inspectNetns',
  'netnsInstance',
  'netnsExists',
  'listLinkNamesIn',
  'addAddress',
  'addRoute',
  'deleteRoute',
  'readHostAddressing',
  'probeArp',
  'probeCapabilities',
] satisfies (keyof LinkDriver)[]);

/**
 * The kernel port, each step timed into the metrics (failed steps too: a step that times out is the
 * one to see). The driver itself is unchanged; the agent wraps it only when metrics are served.
 */
export function timedLinkDriver(driver: LinkDriver, metrics: AgentMetrics): LinkDriver {
  const timed = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  return new Proxy(driver, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !OPS.has(property) || typeof value !== 'function') return value;
      let wrapper = timed.get(property);
      if (!wrapper) {
        const op = property;
        const method = value as (...args: unknown[]) => Promise<unknown>;
        wrapper = async (...args: unknown[]) => {
          const done = metrics.kernelSeconds.startTimer({ op });
          try {
            return await method.apply(target, args);
          } finally {
            done();
          }
        };
        timed.set(property, wrapper);
      }
      return wrapper;
    },
  });
}
