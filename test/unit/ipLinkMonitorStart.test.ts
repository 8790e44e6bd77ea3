import { IpLinkMonitor } from '../../agent/src/kernel/iproute2/IpLinkMonitor';
import { waitFor } from '../support/waitFor';

describe('IpLinkMonitor, when its process cannot start', () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it('logs it and tries again, instead of an unhandled error that would end the agent', async () => {
    const warnings: string[] = [];
    const logger = {
      info: () => undefined,
      debug: () => undefined,
      warn: (obj: object, msg?: string) => warnings.push(`${msg} ${JSON.stringify(obj)}`),
    };
    process.env.PATH = '/nonexistent'; // no `ip` to be found: spawn fails with ENOENT
    const monitor = new IpLinkMonitor({ logger });
    let gaps = 0;
    try {
      monitor.start(
        () => undefined,
        () => gaps++,
      );
      await waitFor('two failed starts', () => warnings.length >= 2 && gaps >= 1);
    } finally {
      monitor.close();
    }
    expect(warnings[0]).toMatch(/^kernel monitor stopped: .*ENOENT/);
  });
});
