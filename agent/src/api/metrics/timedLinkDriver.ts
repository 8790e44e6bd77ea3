import type { LinkDriver } from '../../domain/ports/LinkDriver';
import type { AgentMetrics } from './AgentMetrics';

/**
 * The kernel steps timed, as mvnet_kernel_op_duration_seconds's `op`: every method of the port but close
 * (a Record, so that a method added to the port and not here fails to compile).
 */
const OPS: Record<Exclude<keyof LinkDriver, 'close'>, true> = {
  listLinks: true,
  getLink: true,
  createVlan: true,
  createDummy: true,
  createMacvlan: true,
  deleteLink: true,
  setLinkUp: true,
  setPromiscuous: true,
  attachEndpoint: true,
  detachEndpoint: true,
  removeTempLink: true,
  inspectEndpoint: true,
  inspectNetns: true,
  netnsInstance: true,
  netnsExists: true,
  listLinkNamesIn: true,
  addAddress: true,
  addRoute: true,
  deleteRoute: true,
  readHostAddressing: true,
  probeArp: true,
  probeCapabilities: true,
};

/**
 * The kernel port, each step timed into the metrics (failed steps too: a step that times out is the
 * one to see). The driver itself is unchanged; the agent wraps it only when metrics are served.
 */
export function timedLinkDriver(driver: LinkDriver, metrics: AgentMetrics): LinkDriver {
  const timed = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  return new Proxy(driver, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !Object.hasOwn(OPS, property) || typeof value !== 'function')
        return value;
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
