import { AgentMetrics } from '../../agent/src/api/metrics/AgentMetrics';
import { methodLabel } from '../../agent/src/api/metrics/rpcMetricsMiddleware';
import { timedLinkDriver } from '../../agent/src/api/metrics/timedLinkDriver';
import { MemoryDriver } from '../../agent/src/kernel/memory/MemoryDriver';
import { parsePromText, sampleValue } from '../support/promText';

describe('the kernel port, timed for the metrics', () => {
  it('times each step by name, failed ones too, and leaves the driver working as before', async () => {
    const metrics = new AgentMetrics({ version: '0.0.0', hostname: 'h' });
    const memory = new MemoryDriver({ links: [{ name: 'eth0', kind: 'physical' }] });
    const driver = timedLinkDriver(memory, metrics);
    expect((await driver.listLinks()).map((l) => l.name)).toContain('eth0');
    await driver.listLinks();
    memory.failNext('getLink');
    await expect(driver.getLink('eth0')).rejects.toThrow('No buffer space');
    await driver.close();
    const samples = parsePromText(await metrics.render());
    const count = (op: string) => sampleValue(samples, 'mvnet_kernel_op_duration_seconds_count', { op });
    expect(count('listLinks')).toBe(2);
    expect(count('getLink')).toBe(1);
    expect(count('close')).toBeUndefined();
  });
});

describe('the method label', () => {
  it.each([
    ['/mvnet.v1.AgentService/CreateNetwork', 'AgentService/CreateNetwork'],
    ['/grpc.health.v1.Health/Check', 'Health/Check'],
    ['/grpc.reflection.v1.ServerReflection/ServerReflectionInfo', 'ServerReflection/ServerReflectionInfo'],
  ])('%s is %s', (path, label) => expect(methodLabel(path)).toBe(label));
});

describe('metrics before the services are observed', () => {
  it('reads as zeros, not as an error', async () => {
    const samples = parsePromText(await new AgentMetrics({ version: '1.0.0', hostname: 'h' }).render());
    expect(sampleValue(samples, 'mvnet_watchers')).toBe(0);
    expect(sampleValue(samples, 'mvnet_networks', { status: 'ready' })).toBe(0);
    expect(sampleValue(samples, 'mvnet_watchers_ended_total', { reason: 'too_slow' })).toBe(0);
  });
});
